#include "plugins/plugin_loader.h"

#include <catch2/catch.hpp>

#include "support/temp_dir.h"

using agent_host::plugins::load_plugin;
using agent_host::plugins::PluginKind;
using agent_test::fixture_plugin;

namespace {

std::string refusal_of(const std::filesystem::path& file) {
  const auto result = load_plugin(file);
  REQUIRE_FALSE(result.plugin);
  REQUIRE(result.refusal);
  CHECK(result.refusal->file == file);
  return result.refusal->reason;
}

}  // namespace

TEST_CASE("a valid C++ plugin loads with its descriptor and manifest", "[plugins][loader]") {
  const auto result = load_plugin(fixture_plugin("echo_provider"));
  REQUIRE(result.plugin);
  REQUIRE_FALSE(result.refusal);
  const auto& info = result.plugin->info();
  CHECK(info.kind == PluginKind::provider);
  CHECK(info.id == "echo");
  CHECK(info.version == "1.0.0");
  CHECK(info.abi.major == AGENT_ABI_MAJOR);
  CHECK(info.thread_safe());
  CHECK(info.manifest.description == "Test provider that echoes the last user message");
  CHECK(info.manifest.capabilities == std::vector<std::string>{"streaming"});
  CHECK(info.manifest.config_schema["properties"].contains("prefix"));
  CHECK(info.warnings.empty());
}

TEST_CASE("a plugin written in plain C against the header alone loads", "[plugins][loader]") {
  const auto result = load_plugin(fixture_plugin("plain_c_personality"));
  REQUIRE(result.plugin);
  CHECK(result.plugin->info().kind == PluginKind::personality);
  CHECK(result.plugin->info().id == "plain_c");
}

TEST_CASE("a file that is not a shared library is refused before loading", "[plugins][loader]") {
  CHECK_THAT(refusal_of(fixture_plugin("not_a_library")), Catch::Contains("not a shared library"));
}

TEST_CASE("a missing file is refused", "[plugins][loader]") {
  CHECK_THAT(refusal_of("/nonexistent/plugin.so"), Catch::Contains("not a regular file"));
}

TEST_CASE("a library without the entry symbol is refused", "[plugins][loader]") {
  CHECK_THAT(refusal_of(fixture_plugin("broken_no_entry")),
             Catch::Contains("no entry symbol") && Catch::Contains("agent_plugin_entry_v1"));
}

TEST_CASE("a plugin for another ABI major is refused naming both versions", "[plugins][loader]") {
  const std::string reason = refusal_of(fixture_plugin("broken_abi_major_2"));
  CHECK_THAT(reason, Catch::Contains("ABI major mismatch"));
  CHECK_THAT(reason, Catch::Contains("2.x"));
  CHECK_THAT(reason, Catch::Contains("host implements ABI 1." + std::to_string(AGENT_ABI_MINOR)));
}

TEST_CASE("a plugin built for a newer ABI minor is refused naming both versions",
          "[plugins][loader]") {
  const std::string reason = refusal_of(fixture_plugin("broken_newer_minor"));
  CHECK_THAT(reason, Catch::Contains("newer host"));
  CHECK_THAT(reason, Catch::Contains("ABI 1." + std::to_string(AGENT_ABI_MINOR + 1)));
  CHECK_THAT(reason, Catch::Contains("host implements ABI 1." + std::to_string(AGENT_ABI_MINOR)));
}

TEST_CASE("a plugin with a malformed manifest is refused", "[plugins][loader]") {
  CHECK_THAT(refusal_of(fixture_plugin("broken_bad_manifest")),
             Catch::Contains("malformed manifest") && Catch::Contains("not valid JSON"));
}

TEST_CASE("an entry symbol that returns no descriptor is refused", "[plugins][loader]") {
  CHECK_THAT(refusal_of(fixture_plugin("broken_null_descriptor")),
             Catch::Contains("no descriptor"));
}

TEST_CASE("a library breaking the build rules loads with a GNU_UNIQUE warning",
          "[plugins][loader]") {
  const auto result = load_plugin(agent_test::rule_breaking_fixture("gnu_unique"));
  REQUIRE(result.plugin);
  REQUIRE(result.plugin->info().warnings.size() == 1);
  CHECK_THAT(result.plugin->info().warnings[0], Catch::Contains("STB_GNU_UNIQUE"));
}

TEST_CASE("plugin ids are restricted to a safe alphabet", "[plugins][loader]") {
  using agent_host::plugins::is_valid_plugin_id;
  CHECK(is_valid_plugin_id("financial_advisor"));
  CHECK(is_valid_plugin_id("open-ai.v2"));
  CHECK_FALSE(is_valid_plugin_id(""));
  CHECK_FALSE(is_valid_plugin_id("Upper"));
  CHECK_FALSE(is_valid_plugin_id("../escape"));
  CHECK_FALSE(is_valid_plugin_id(std::string(65, 'a')));
}
