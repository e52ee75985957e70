// The "limits" and "cors" sections of host.json: values, defaults, and clear errors.
#include <catch2/catch.hpp>

#include "app/host_config.h"
#include "support/temp_dir.h"

using agent_host::app::ConfigError;
using agent_host::app::load_host_config;

namespace {

agent_host::app::HostConfig load(const std::string& json) {
  agent_test::TempDir dir;
  return load_host_config(dir.write("host.json", json));
}

void check_refused(const std::string& json, const std::string& mention) {
  INFO(json);
  CHECK_THROWS_WITH(load(json), Catch::Contains(mention));
}

}  // namespace

TEST_CASE("without a limits section the host limits chat to 60 a minute and allows no CORS",
          "[limits][config]") {
  const auto config = load("{}");
  REQUIRE(config.limits.rate.size() == 1);
  CHECK(config.limits.rate[0].name == "chat");
  CHECK(config.limits.rate[0].requests == 60);
  CHECK_FALSE(config.limits.per_agent.enabled());
  CHECK_FALSE(config.limits.per_credential.enabled());
  CHECK_FALSE(config.limits.cors.enabled());
  CHECK(config.http.max_connections_per_client == 0);
}

TEST_CASE("the limits and cors sections are read into the config", "[limits][config]") {
  const auto config = load(R"({
    "limits": {
      "rate": [{"name": "chat", "routes": ["POST /agents/{id}/chat", "GET /agents/{id}/ws"],
                "requests": 10, "per_s": 30},
               {"route": "*", "requests": 1000, "per_s": 60}],
      "max_tracked_keys": 500,
      "token_budgets": {"per_credential": {"tokens": 100000, "period_s": 3600},
                        "per_agent": {"tokens": 5000000}},
      "max_connections_per_client": 64
    },
    "cors": {"allowed_origins": ["https://app.example.com"], "allowed_headers": ["Content-Type"],
             "max_age_s": 60}
  })");
  const auto& limits = config.limits;
  REQUIRE(limits.rate.size() == 2);
  CHECK(limits.rate[0].routes.size() == 2);
  CHECK(limits.rate[0].per_s == 30);
  CHECK(limits.rate[1].name == "rule1");
  CHECK(limits.rate[1].matches("DELETE", "/conversations/{id}"));
  CHECK(limits.max_tracked_keys == 500);
  CHECK(limits.per_credential.tokens == 100000);
  CHECK(limits.per_credential.period_s == 3600);
  CHECK(limits.per_agent.period_s == 86400);
  CHECK(config.http.max_connections_per_client == 64);
  CHECK(limits.cors.allowed_origins == std::vector<std::string>{"https://app.example.com"});
  CHECK(limits.cors.allowed_headers == std::vector<std::string>{"Content-Type"});
  CHECK(limits.cors.max_age_s == 60);
  CHECK(load(R"({"limits": {"rate": []}})").limits.rate.empty());
}

TEST_CASE("bad limits and cors settings are refused naming the field", "[limits][config]") {
  check_refused(R"({"limits": {"rate": [{"route": "/agents", "requests": 1}]}})",
                "limits.rate[0]: \"/agents\" is not a route");
  check_refused(R"({"limits": {"rate": [{"route": "GET /a", "requests": 0}]}})",
                "limits.rate[0].requests must be an integer 1..");
  check_refused(R"({"limits": {"rate": [{"requests": 1}]}})", "exactly one of \"route\"");
  check_refused(
      R"({"limits": {"rate": [{"name": "a", "route": "*"}, {"name": "a", "route": "*"}]}})",
      "two rules are named \"a\"");
  check_refused(R"({"limits": {"rate": [{"name": "a b", "route": "*"}]}})", "limits.rate[0].name");
  check_refused(R"({"limits": {"token_budgets": {"per_user": {}}}})",
                "limits.token_budgets: unknown key \"per_user\"");
  check_refused(R"({"limits": {"token_budgets": {"per_agent": {"tokens": -1}}}})",
                "limits.token_budgets.per_agent.tokens");
  check_refused(R"({"limits": {"burst": 1}})", "limits: unknown key \"burst\"");
  check_refused(R"({"cors": {"allowed_origins": ["app.example.com"]}})", "is not an origin");
  check_refused(R"({"cors": {"allowed_origins": "https://a.example"}})",
                "cors.allowed_origins must be an array");
}
