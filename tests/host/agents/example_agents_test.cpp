// The example agent definitions shipped in config/examples/agents: each parses, builds into a
// served agent once the secrets it names are configured, and answers through its providers
// (pointed at the fake upstream instead of the real APIs).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "support/fake_upstream.h"
#include "support/test_host.h"

using agent_test::http_request;
using agent_test::TestHost;
using nlohmann::json;

namespace {

std::vector<json> example_agents() {
  std::vector<json> agents;
  const auto folder = std::filesystem::path(AGENT_TEST_SOURCE_DIR) / "config/examples/agents";
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() != ".json") continue;
    INFO(entry.path());
    std::ifstream in(entry.path());
    json agent;
    REQUIRE_NOTHROW(agent = json::parse(in));
    REQUIRE(agent.is_object());
    // One file per agent, named after its id.
    CHECK(agent.value("id", "") == entry.path().stem().string());
    agents.push_back(std::move(agent));
  }
  return agents;
}

// Every provider reference of an agent: the provider, then its fallbacks.
std::vector<json*> providers_of(json& agent) {
  std::vector<json*> out = {&agent["provider"]};
  if (agent.contains("fallback_providers")) {
    for (auto& fallback : agent["fallback_providers"]) out.push_back(&fallback);
  }
  return out;
}

std::string plugin_id(const json& reference) {
  return reference.is_string() ? reference.get<std::string>() : reference.value("id", "");
}

// The secret a network provider reads: its api_key_secret, or the plugin's default.
std::string secret_of(const json& reference) {
  const std::string id = plugin_id(reference);
  const json config = reference.is_object() ? reference.value("config", json::object()) : json();
  if (config.is_object() && config.contains("api_key_secret")) return config["api_key_secret"];
  return id == "anthropic" ? "anthropic_api_key" : "openai_api_key";
}

// A host config holding `key` as a value secret for every name in `names`.
std::function<void(agent_host::app::HostConfig&)> secrets(std::set<std::string> names,
                                                          std::string key) {
  return [names = std::move(names), key = std::move(key)](agent_host::app::HostConfig& config) {
    using Source = agent_host::plugins::SecretSource;
    config.secrets.clear();
    for (const auto& name : names) config.secrets[name] = Source{Source::Type::value, key};
  };
}

}  // namespace

TEST_CASE("every example agent parses and is served once the secrets it names are configured",
          "[agents][examples]") {
  std::vector<json> agents = example_agents();
  REQUIRE(agents.size() >= 3);
  std::set<std::string> names;
  for (auto& agent : agents) {
    for (json* provider : providers_of(agent)) {
      if (plugin_id(*provider) != "offline") names.insert(secret_of(*provider));
    }
  }
  TestHost host(secrets(names, "sk-example-test-key"), agents);

  const auto listing = http_request(host.port(), "GET", "/agents");
  REQUIRE(listing.status == 200);
  std::set<std::string> served;
  for (const auto& agent : listing.json["agents"]) served.insert(agent["id"].get<std::string>());
  for (const auto& refused : listing.json["refused"]) {
    INFO(refused.dump());
    CHECK(refused["file"].get<std::string>().find("broken.json") != std::string::npos);
  }
  for (const auto& agent : agents) {
    const std::string id = agent["id"];
    INFO(id);
    CHECK(served.count(id) == 1);
    const auto detail = http_request(host.port(), "GET", "/agents/" + id);
    REQUIRE(detail.status == 200);
    CHECK(detail.json["provider"]["id"] == plugin_id(agent["provider"]));
    const std::size_t fallbacks =
        agent.contains("fallback_providers") ? agent["fallback_providers"].size() : 0;
    CHECK(detail.json.value("fallback_providers", json::array()).size() == fallbacks);
  }
}

TEST_CASE("the example agents answer through their own providers at the fake upstream",
          "[agents][examples]") {
  agent_test::FakeUpstream fake;
  std::vector<json> agents = example_agents();
  std::set<std::string> names;
  // Only the address changes: the Azure deployment path, the keys' secrets, models and options
  // are the examples' own.
  for (auto& agent : agents) {
    for (json* provider : providers_of(agent)) {
      const std::string id = plugin_id(*provider);
      if (id == "offline") continue;
      names.insert(secret_of(*provider));
      json& config = (*provider)["config"];
      const bool azure = config.contains("azure");
      config["base_url"] = fake.base_url() + (id == "openai" && !azure ? "/v1" : "");
    }
  }
  TestHost host(secrets(names, fake.api_key()), agents);

  for (const auto& agent : agents) {
    const std::string id = agent["id"];
    INFO(id);
    fake.reset();
    const auto turn = agent_test::post_json(host.port(), "/agents/" + id + "/chat",
                                            {{"user_id", "u1"}, {"message", "Hello there"}});
    INFO(turn.body);
    REQUIRE(turn.status == 200);
    CHECK(turn.json["provider"] == plugin_id(agent["provider"]));
    CHECK(turn.json["response"].get<std::string>().find("Echo: Hello there") != std::string::npos);
    const json sent = fake.requests(1)[0];
    const json& config = agent["provider"]["config"];
    if (config.contains("azure")) {
      CHECK(
          sent["path"] ==
          "/openai/deployments/" + config["azure"]["deployment"].get<std::string>() +
              "/chat/completions?api-version=" + config["azure"]["api_version"].get<std::string>());
      CHECK(sent["headers"]["api-key"] == fake.api_key());
      CHECK_FALSE(sent["headers"].contains("authorization"));
    } else {
      CHECK(sent["path"] == "/v1/chat/completions");
      CHECK(sent["headers"]["authorization"] == "Bearer " + fake.api_key());
      CHECK(sent["body"]["model"] == config["model"]);
    }
  }
}
