#include "agents/agent_registry.h"

#include <catch2/catch.hpp>

#include "support/fixture_agents.h"

using namespace agent_host;
using agent_test::fixture_agent;
using agent_test::TempDir;

namespace {

struct Fixture {
  TempDir dir;
  plugins::SecretStore secret_store;
  plugins::HostServices services{secret_store};
  plugins::PluginSet plugins;
  Fixture() {
    agent_test::install_fixture_plugins(dir);
    plugins = plugins::load_plugin_directory(dir.path() / "plugins");
  }
};

}  // namespace

TEST_CASE("an invalid agent file is reported and skipped while the others are served",
          "[agents][registry]") {
  Fixture f;
  f.dir.write("agents/good.json", fixture_agent("good").dump());
  f.dir.write("agents/broken.json", "{ this is not json");
  auto missing = fixture_agent("missing");
  missing["domain"] = "no_such_domain";
  f.dir.write("agents/missing.json", missing.dump());
  auto failing = fixture_agent("failing");
  failing["provider"] = "broken";  // the fixture whose create() fails
  f.dir.write("agents/failing.json", failing.dump());
  f.dir.write("agents/notes.txt", "ignored: not a .json file");

  const auto set = agents::load_agent_directory(f.dir.path() / "agents", f.plugins, f.services);
  REQUIRE(set.agents.size() == 1);
  CHECK(set.agents.count("good") == 1);
  REQUIRE(set.refused.size() == 3);
  std::map<std::string, std::string> reasons;
  for (const auto& refusal : set.refused) reasons[refusal.file.filename()] = refusal.reason;
  CHECK_THAT(reasons["broken.json"], Catch::Contains("invalid JSON"));
  CHECK_THAT(reasons["missing.json"],
             Catch::Contains("domain plugin 'no_such_domain' is not loaded"));
  CHECK_THAT(reasons["failing.json"], Catch::Contains("broken_create_fails.so") &&
                                          Catch::Contains("missing required setting"));
}

TEST_CASE("a built agent caches what its personality and domain describe", "[agents][registry]") {
  Fixture f;
  const auto definition = agents::parse_agent_definition(fixture_agent("fx"));
  const auto agent = agents::build_agent(definition, f.plugins, f.services);
  CHECK(agent->persona()["tone"] == "matter-of-fact");
  CHECK(agent->domain_profile()["specialization"] == "testing");
  CHECK_THAT(agent->system_prompt(), Catch::Contains("You answer plainly.") &&
                                         Catch::Contains("You are tested.") &&
                                         Catch::Contains("- Tests must assert something."));
  const auto json = agent->to_json();
  CHECK(json["personality"]["id"] == "plain_c");
  CHECK(json["provider"]["version"] == "1.0.0");
}

TEST_CASE("an agent lease outlives the registry snapshot it came from", "[agents][registry]") {
  Fixture f;
  f.dir.write("agents/fx.json", fixture_agent("fx").dump());
  agents::AgentRegistry registry;
  registry.publish(std::make_shared<const agents::AgentSet>(
      agents::load_agent_directory(f.dir.path() / "agents", f.plugins, f.services)));
  const auto lease = registry.find("fx");
  REQUIRE(lease);
  registry.publish(std::make_shared<const agents::AgentSet>());
  f.plugins = {};  // drop the loader's references too
  CHECK_FALSE(registry.find("fx"));
  CHECK(lease->provider()
            .invoke("complete", R"({"messages":[{"role":"user","content":"x"}]})", {})
            .ok());
}
