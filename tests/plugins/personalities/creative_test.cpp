#include "bundled_plugin_support.hpp"

using namespace bundled_plugins_test;

namespace {
constexpr const char* kTarget = "personality_creative";
}

TEST_CASE("creative loads as a thread-safe personality with id creative",
          "[plugins][personalities][creative]") {
  const auto library = load_library(kTarget);
  CHECK(library->info().id == "creative");
  CHECK(library->info().kind == PluginKind::personality);
  CHECK(library->info().thread_safe());
  CHECK(library->info().manifest.config_schema["properties"].contains("extra_traits"));
}

TEST_CASE(
    "creative describe returns innovative traits, an enthusiastic tone and "
    "out-of-the-box thinking",
    "[plugins][personalities][creative]") {
  auto plugin = instantiate(kTarget);
  const json description = call(*plugin, "describe");
  CHECK(description["id"] == "creative");
  CHECK(description["traits"] == json({"innovative", "imaginative", "inspirational"}));
  CHECK(description["tone"] == "enthusiastic");
  CHECK(description["approach"] == "out-of-the-box-thinking");
  const std::string prompt = description["system_prompt"];
  CHECK(prompt.rfind("You are a creative assistant.", 0) == 0);
  CHECK(prompt.find("Use an enthusiastic tone and an out-of-the-box-thinking approach.") !=
        std::string::npos);
  CHECK(prompt.find("several distinct ideas") != std::string::npos);
}

TEST_CASE("creative extra_traits extend the traits", "[plugins][personalities][creative]") {
  auto plugin = instantiate(kTarget, {{"extra_traits", {"playful"}}});
  CHECK(call(*plugin, "describe")["traits"].back() == "playful");
  CHECK_THAT(create_error(kTarget, {{"extra_traits", json::array({json::array()})}}),
             Catch::Contains("extra_traits"));
}
