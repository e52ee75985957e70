#include "agents/agent_definition.h"

#include <catch2/catch.hpp>

#include "support/fixture_agents.h"

using namespace agent_host::agents;

TEST_CASE("a full agent definition is parsed with plugin configs and provider options",
          "[agents][definition]") {
  const auto definition = parse_agent_definition(nlohmann::json::parse(R"({
    "id": "agent_alpha", "display_name": "Alpha", "description": "d",
    "personality": "analytical",
    "domain": {"id": "financial_advisor", "config": {"specialization": "retirement"}},
    "provider": {"id": "offline", "config": {"a": 1}, "options": {"max_tokens": 10}},
    "tools": ["mcp", {"id": "other", "config": {"x": true}}],
    "history_limit": 5})"));
  CHECK(definition.id == "agent_alpha");
  CHECK(definition.personality.id == "analytical");
  CHECK(definition.personality.config == nlohmann::json::object());
  CHECK(definition.domain.config["specialization"] == "retirement");
  CHECK(definition.provider.config["a"] == 1);
  CHECK(definition.provider_options["max_tokens"] == 10);
  REQUIRE(definition.tools.size() == 2);
  CHECK(definition.tools[1].config["x"] == true);
  CHECK(definition.history_limit == 5);
}

TEST_CASE("defaults: display name is the id and history is 20 messages", "[agents][definition]") {
  const auto definition = parse_agent_definition(
      {{"id", "a"}, {"personality", "p"}, {"domain", "d"}, {"provider", "x"}});
  CHECK(definition.display_name == "a");
  CHECK(definition.history_limit == 20);
  CHECK(definition.tools.empty());
  CHECK(definition.allowed_tools.empty());
  CHECK(definition.max_tool_steps == 8);
}

TEST_CASE("invalid agent definitions name the offending field", "[agents][definition]") {
  const nlohmann::json base = {
      {"id", "a"}, {"personality", "p"}, {"domain", "d"}, {"provider", "x"}};
  auto with = [&](const char* key, nlohmann::json value) {
    auto copy = base;
    copy[key] = std::move(value);
    return copy;
  };
  auto without = [&](const char* key) {
    auto copy = base;
    copy.erase(key);
    return copy;
  };
  CHECK_THROWS_WITH(parse_agent_definition(nlohmann::json::array()), Catch::Contains("object"));
  CHECK_THROWS_WITH(parse_agent_definition(without("id")), Catch::Contains("\"id\""));
  CHECK_THROWS_WITH(parse_agent_definition(with("id", "Bad Id")), Catch::Contains("\"id\""));
  CHECK_THROWS_WITH(parse_agent_definition(without("provider")), Catch::Contains("provider"));
  CHECK_THROWS_WITH(parse_agent_definition(with("domain", 5)), Catch::Contains("domain"));
  CHECK_THROWS_WITH(parse_agent_definition(with("domain", {{"config", {}}})),
                    Catch::Contains("\"id\""));
  CHECK_THROWS_WITH(parse_agent_definition(with("domain", {{"id", "d"}, {"config", 3}})),
                    Catch::Contains("config"));
  CHECK_THROWS_WITH(parse_agent_definition(with("history_limit", -1)),
                    Catch::Contains("history_limit"));
  CHECK_THROWS_WITH(parse_agent_definition(with("history_limit", 100000)),
                    Catch::Contains("history_limit"));
  CHECK_THROWS_WITH(parse_agent_definition(with("tools", "x")), Catch::Contains("tools"));
  CHECK_THROWS_WITH(parse_agent_definition(with("allowed_tools", {"echo", 3})),
                    Catch::Contains("allowed_tools"));
  CHECK_THROWS_WITH(parse_agent_definition(with("max_tool_steps", 0)),
                    Catch::Contains("max_tool_steps"));
  CHECK_THROWS_WITH(parse_agent_definition(with("max_tool_steps", 65)),
                    Catch::Contains("max_tool_steps"));
  CHECK_THROWS_WITH(parse_agent_definition(with("persnality", "typo")),
                    Catch::Contains("unknown key \"persnality\""));
}

TEST_CASE("an agent file must be named after its id", "[agents][definition]") {
  agent_test::TempDir dir;
  const auto file = dir.write("other.json", agent_test::fixture_agent("fixture").dump());
  CHECK_THROWS_WITH(load_agent_definition(file), Catch::Contains("must match"));
  CHECK_THROWS_WITH(load_agent_definition(dir.write("bad.json", "{nope")),
                    Catch::Contains("invalid JSON"));
}
