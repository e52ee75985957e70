// Secure by default: a host on a non-loopback address without auth refuses to start, unless
// --insecure; the auth section's mistakes are named.
#include <catch2/catch.hpp>

#include "app/host_config.h"
#include "security/api_keys.h"
#include "security/auth_config.h"
#include "security/auth_error.h"
#include "security/bind_exposure.h"
#include "support/temp_dir.h"
#include "support/test_host.h"

using namespace agent_host::security;
using nlohmann::json;

namespace {

json one_key() {
  return {{"id", "k"},
          {"hash", hash_api_key(std::string(32, 'k'))},
          {"subject", "s"},
          {"tenant", "t"},
          {"roles", {"user"}}};
}

std::string config_error(const json& auth) {
  try {
    parse_auth_config(auth, "/etc");
    return "";
  } catch (const AuthConfigError& e) {
    return e.what();
  }
}

}  // namespace

TEST_CASE("loopback binds are recognised", "[security][secure_default]") {
  for (const char* bind : {"127.0.0.1", "127.1.2.3", "::1", "localhost"}) {
    INFO(bind);
    CHECK(is_loopback_bind(bind));
  }
  for (const char* bind : {"0.0.0.0", "::", "10.0.0.5", "192.168.1.1", "example.com", ""}) {
    INFO(bind);
    CHECK_FALSE(is_loopback_bind(bind));
  }
}

TEST_CASE("a host bound beyond loopback without auth refuses to start and says how to fix it",
          "[security][secure_default]") {
  try {
    agent_test::TestHost host(
        [](agent_host::app::HostConfig& config) { config.http.bind = "0.0.0.0"; });
    FAIL("the host started on 0.0.0.0 without auth");
  } catch (const AuthConfigError& e) {
    const std::string message = e.what();
    CHECK_THAT(message, Catch::Contains("refusing to listen on 0.0.0.0"));
    CHECK_THAT(message, Catch::Contains("--insecure"));
    CHECK_THAT(message, Catch::Contains("\"auth\""));
  }
}

TEST_CASE("a host with auth, or with the insecure flag, serves beyond loopback",
          "[security][secure_default]") {
  {
    agent_test::TestHost insecure([](agent_host::app::HostConfig& config) {
      config.http.bind = "0.0.0.0";
      config.insecure = true;
    });
    CHECK(agent_test::http_request(insecure.port(), "GET", "/agents").status == 200);
    // Without auth the admin routes stay off on a non-loopback bind.
    CHECK(agent_test::post_json(insecure.port(), "/admin/plugins/reload", json::object()).status ==
          404);
  }
  agent_test::TestHost with_auth([](agent_host::app::HostConfig& config) {
    config.http.bind = "0.0.0.0";
    config.auth = parse_auth_config({{"api_keys", {one_key()}}}, "/etc");
  });
  CHECK(agent_test::http_request(with_auth.port(), "GET", "/agents").status == 401);
  CHECK(agent_test::http_request(with_auth.port(), "GET", "/agents", "", "application/json",
                                 {{"X-API-Key", std::string(32, 'k')}})
            .status == 200);
}

TEST_CASE("the auth section's mistakes are refused naming the field", "[security][auth_config]") {
  CHECK(config_error({{"api_keys", {one_key()}}}).empty());
  CHECK_THAT(config_error(json::object()), Catch::Contains("has no credentials"));
  CHECK(config_error({{"enabled", false}}).empty());
  CHECK_THAT(config_error({{"api_keys", {one_key()}}, {"extra", 1}}),
             Catch::Contains("unknown key \"extra\""));
  json bad_hash = one_key();
  bad_hash["hash"] = "plain-text-key";
  CHECK_THAT(config_error({{"api_keys", {bad_hash}}}), Catch::Contains("auth.api_keys[0].hash"));
  json bad_role = one_key();
  bad_role["roles"] = {"root"};
  CHECK_THAT(config_error({{"api_keys", {bad_role}}}), Catch::Contains("auth.api_keys[0].roles"));
  CHECK_THAT(config_error({{"api_keys", {one_key(), one_key()}}}), Catch::Contains("used twice"));
  CHECK_THAT(config_error({{"jwt", {{"issuer", "i"}, {"audience", "a"}}}}),
             Catch::Contains("hs256_secret"));
  CHECK_THAT(config_error({{"jwt", {{"audience", "a"}, {"hs256_secret", "s"}}}}),
             Catch::Contains("auth.jwt.issuer"));
  const auto jwt = parse_auth_config({{"jwt",
                                       {{"issuer", "i"},
                                        {"audience", "a"},
                                        {"rs256_public_key", "keys/idp.pem"},
                                        {"clock_skew_seconds", 5},
                                        {"claims", {{"tenant", "org"}}}}}},
                                     "/etc/agent-host");
  REQUIRE(jwt.jwt);
  CHECK(jwt.jwt->rs256_public_key == "/etc/agent-host/keys/idp.pem");
  CHECK(jwt.jwt->rules.clock_skew == std::chrono::seconds(5));
  CHECK(jwt.jwt->rules.tenant_claim == "org");
  CHECK(jwt.jwt->rules.subject_claim == "sub");
}

TEST_CASE("a host whose JWT secret or key is missing refuses to start naming it",
          "[security][auth_config]") {
  const agent_test::TempDir dir;
  CHECK_THROWS_WITH(
      agent_test::TestHost([](agent_host::app::HostConfig& config) {
        config.auth = parse_auth_config(
            {{"jwt", {{"issuer", "i"}, {"audience", "a"}, {"hs256_secret", "nowhere"}}}}, "/");
      }),
      Catch::Contains("\"nowhere\""));
  CHECK_THROWS_WITH(
      agent_test::TestHost([&dir](agent_host::app::HostConfig& config) {
        config.auth = parse_auth_config(
            {{"jwt", {{"issuer", "i"}, {"audience", "a"}, {"rs256_public_key", "missing.pem"}}}},
            dir.path());
      }),
      Catch::Contains("missing.pem"));
}

TEST_CASE("host.json's auth section is read, and its errors name the file",
          "[security][auth_config]") {
  const agent_test::TempDir dir;
  dir.write("host.json", json{{"auth", {{"api_keys", {one_key()}}}}}.dump());
  const auto config = agent_host::app::load_host_config(dir.path() / "host.json");
  CHECK(config.auth.enabled);
  CHECK(config.auth.api_keys.size() == 1);
  CHECK(agent_host::app::admin_routes_enabled(config));
  dir.write("bad.json", json{{"auth", {{"api_keys", "k"}}}}.dump());
  CHECK_THROWS_WITH(agent_host::app::load_host_config(dir.path() / "bad.json"),
                    Catch::Contains("bad.json: auth.api_keys must be an array"));
}
