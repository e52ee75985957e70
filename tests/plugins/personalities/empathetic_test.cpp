#include "bundled_plugin_support.hpp"

using namespace bundled_plugins_test;

namespace {
constexpr const char* kTarget = "personality_empathetic";
}

TEST_CASE("empathetic loads as a thread-safe personality with id empathetic",
          "[plugins][personalities][empathetic]") {
  const auto library = load_library(kTarget);
  CHECK(library->info().id == "empathetic");
  CHECK(library->info().kind == PluginKind::personality);
  CHECK(library->info().thread_safe());
}

TEST_CASE("empathetic describe returns patient traits, a warm tone and step-by-step guidance",
          "[plugins][personalities][empathetic]") {
  auto plugin = instantiate(kTarget);
  const json description = call(*plugin, "describe");
  CHECK(description["id"] == "empathetic");
  CHECK(description["traits"] == json({"patient", "attentive", "reassuring"}));
  CHECK(description["tone"] == "warm");
  CHECK(description["approach"] == "step-by-step-guidance");
  const std::string prompt = description["system_prompt"];
  CHECK(prompt.find("Use a warm tone and a step-by-step-guidance approach.") != std::string::npos);
  CHECK(prompt.find("one step at a time") != std::string::npos);
}

TEST_CASE("empathetic rejects more than 16 extra traits", "[plugins][personalities][empathetic]") {
  json many = json::array();
  for (int i = 0; i < 17; ++i) many.push_back("trait-" + std::to_string(i));
  CHECK_THAT(create_error(kTarget, {{"extra_traits", many}}), Catch::Contains("at most 16"));
}
