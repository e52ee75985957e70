#include "bundled_plugin_support.hpp"

using namespace bundled_plugins_test;

namespace {
constexpr const char* kTarget = "personality_analytical";
}

TEST_CASE("analytical loads as a thread-safe personality with id analytical and a config schema",
          "[plugins][personalities][analytical]") {
  const auto library = load_library(kTarget);
  CHECK(library->info().id == "analytical");
  CHECK(library->info().kind == PluginKind::personality);
  CHECK(library->info().thread_safe());
  CHECK_FALSE(library->info().manifest.description.empty());
  CHECK(library->info().manifest.config_schema["properties"].contains("extra_traits"));
  CHECK(library->info().manifest.config_schema["additionalProperties"] == false);
}

TEST_CASE(
    "analytical describe returns the original design's traits, professional tone and "
    "evidence-based approach",
    "[plugins][personalities][analytical]") {
  auto plugin = instantiate(kTarget);
  const json description = call(*plugin, "describe");
  CHECK(description["id"] == "analytical");
  CHECK(description["traits"] == json({"data-driven", "systematic", "logical-reasoning"}));
  CHECK(description["tone"] == "professional");
  CHECK(description["approach"] == "evidence-based");
  const std::string prompt = description["system_prompt"];
  CHECK(prompt.rfind("You are an analytical assistant.", 0) == 0);
  CHECK(prompt.find("Your traits: data-driven, systematic, logical-reasoning.") !=
        std::string::npos);
  CHECK(prompt.find("Use a professional tone and an evidence-based approach.") !=
        std::string::npos);
  CHECK(prompt.find("evidence") != std::string::npos);
  CHECK(prompt.size() > 300);  // a real paragraph of guidance, not a label
}

TEST_CASE("analytical extra_traits are appended once, after the built-in traits and in the prompt",
          "[plugins][personalities][analytical]") {
  auto plugin =
      instantiate(kTarget, {{"extra_traits", {"concise", "systematic", "cites-sources"}}});
  const json description = call(*plugin, "describe");
  CHECK(description["traits"] ==
        json({"data-driven", "systematic", "logical-reasoning", "concise", "cites-sources"}));
  CHECK(description["system_prompt"].get<std::string>().find(
            "logical-reasoning, concise, cites-sources.") != std::string::npos);
}

TEST_CASE("analytical refuses bad config with a message naming the problem",
          "[plugins][personalities][analytical]") {
  CHECK_THAT(create_error(kTarget, {{"extra_traits", "concise"}}),
             Catch::Contains("\"extra_traits\" must be an array"));
  CHECK_THAT(create_error(kTarget, {{"extra_traits", {"concise", 7}}}),
             Catch::Contains("non-empty string"));
  CHECK_THAT(create_error(kTarget, {{"extra_traits", {""}}}), Catch::Contains("non-empty string"));
  CHECK_THAT(create_error(kTarget, {{"tone", "casual"}}), Catch::Contains("unknown key \"tone\""));
  CHECK(create_error(kTarget, json::object()).empty());
}

TEST_CASE("analytical answers an unknown method with AGENT_ERR_UNSUPPORTED",
          "[plugins][personalities][analytical]") {
  auto plugin = instantiate(kTarget);
  const auto result = plugin->invoke("complete", "{}", {});
  CHECK(result.status == AGENT_ERR_UNSUPPORTED);
  CHECK_THAT(result.error, Catch::Contains("complete"));
}
