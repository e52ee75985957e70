#include "plugins/plugin_registry.h"

#include <catch2/catch.hpp>

#include "support/temp_dir.h"

using namespace agent_host::plugins;
using agent_test::fixture_plugin;
using agent_test::TempDir;

TEST_CASE("a plugins folder loads the good files and lists every refused one with its reason",
          "[plugins][registry]") {
  TempDir dir;
  dir.copy(fixture_plugin("echo_provider"), "a_echo.so");
  dir.copy(fixture_plugin("echo_provider_copy"), "b_echo_copy.so");
  dir.copy(fixture_plugin("plain_c_personality"), "plain.so");
  dir.copy(fixture_plugin("not_a_library"), "text.so");
  dir.copy(fixture_plugin("broken_abi_major_2"), "future.so");
  dir.write("README.txt", "not a plugin, and not named like one");

  const PluginSet set = load_plugin_directory(dir.path());
  CHECK(set.plugins.size() == 2);
  REQUIRE(set.find(PluginKind::provider, "echo"));
  // The first file in name order keeps the id.
  CHECK(set.find(PluginKind::provider, "echo")->info().file.filename() == "a_echo.so");
  CHECK(set.find(PluginKind::personality, "plain_c"));
  CHECK_FALSE(set.find(PluginKind::personality, "echo"));

  REQUIRE(set.refused.size() == 3);
  std::map<std::string, std::string> reasons;
  for (const auto& refusal : set.refused) reasons[refusal.file.filename()] = refusal.reason;
  CHECK_THAT(reasons["b_echo_copy.so"],
             Catch::Contains("duplicate provider id 'echo'") && Catch::Contains("a_echo.so"));
  CHECK_THAT(reasons["text.so"], Catch::Contains("not a shared library"));
  CHECK_THAT(reasons["future.so"], Catch::Contains("ABI major mismatch"));
}

TEST_CASE("a missing plugins folder yields an empty set, not a crash", "[plugins][registry]") {
  const PluginSet set = load_plugin_directory("/nonexistent/plugins");
  CHECK(set.plugins.empty());
}

TEST_CASE("a published snapshot stays valid for its holders after a new one is published",
          "[plugins][registry]") {
  TempDir dir;
  dir.copy(fixture_plugin("echo_provider"), "echo.so");
  PluginRegistry registry;
  registry.publish(std::make_shared<const PluginSet>(load_plugin_directory(dir.path())));
  const auto lease = registry.current();
  registry.publish(std::make_shared<const PluginSet>());
  CHECK(registry.current()->plugins.empty());
  REQUIRE(lease->find(PluginKind::provider, "echo"));
  CHECK(lease->find(PluginKind::provider, "echo")->info().id == "echo");
}
