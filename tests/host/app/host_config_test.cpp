#include "app/host_config.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/check_plugin_command.h"
#include "support/temp_dir.h"

using namespace agent_host::app;

TEST_CASE("the embedded default config parses and points at the bundled agents", "[app][config]") {
  const auto config =
      load_host_config(std::filesystem::path(AGENT_TEST_SOURCE_DIR) / "config/host.json");
  CHECK(config.http.bind == "127.0.0.1");
  CHECK(config.http.port == 8080);
  CHECK(config.http.max_threads == 4096);
  CHECK(config.agents_dir == std::filesystem::path(AGENT_TEST_SOURCE_DIR) / "config/agents");
  CHECK(config.secrets.count("openai_api_key") == 1);
}

TEST_CASE("relative paths in a config file are relative to the file", "[app][config]") {
  agent_test::TempDir dir;
  const auto file =
      dir.write("etc/host.json", R"({"plugins_dir": "p", "agents_dir": "/abs/agents"})");
  const auto config = load_host_config(file);
  CHECK(config.plugins_dir == dir.path() / "etc/p");
  CHECK(config.agents_dir == "/abs/agents");
}

TEST_CASE("the http_client section sets the outbound client's TLS, timeouts and pool",
          "[app][config]") {
  agent_test::TempDir dir;
  CHECK(load_host_config(dir.write("empty.json", "{}")).http_client.connect_timeout.count() ==
        10000);
  const auto file = dir.write("etc/host.json", R"({"http_client": {
      "ca_file": "certs/extra.pem", "verify_peer": false, "connect_timeout_ms": 2000,
      "first_byte_timeout_ms": 30000, "idle_timeout_ms": 15000, "total_timeout_ms": 120000,
      "max_idle_per_origin": 4}})");
  const auto config = load_host_config(file);
  CHECK(config.http_client.ca_file == (dir.path() / "etc/certs/extra.pem").string());
  CHECK_FALSE(config.http_client.verify_peer);
  CHECK(config.http_client.connect_timeout.count() == 2000);
  CHECK(config.http_client.first_byte_timeout.count() == 30000);
  CHECK(config.http_client.idle_timeout.count() == 15000);
  CHECK(config.http_client.total_timeout.count() == 120000);
  CHECK(config.http_client.max_idle_per_origin == 4);
  CHECK_FALSE(config.http_client.proxies);  // proxies always come from the environment
}

TEST_CASE(
    "sessions, the context cache and redis are configured strictly, without redis they "
    "live in process",
    "[app][config]") {
  agent_test::TempDir dir;
  const auto defaults = load_host_config(dir.write("empty.json", "{}"));
  CHECK_FALSE(defaults.redis);
  CHECK(defaults.sessions.ttl == std::chrono::seconds(3600));
  CHECK(defaults.context_cache.window == 50);
  const auto config = load_host_config(dir.write("host.json", R"({
      "secrets": {"redis_password": {"env": "REDIS_PASSWORD"}},
      "sessions": {"ttl_seconds": 600, "max_sessions": 5000},
      "context_cache": {"messages": 40, "max_conversations": 2000},
      "redis": {"url": "redis://cache.internal:6380/2", "password_secret": "redis_password",
                "connect_timeout_ms": 200, "command_timeout_ms": 300, "max_connections": 8,
                "check_interval_ms": 500, "key_prefix": "prod:"}})"));
  CHECK(config.sessions.ttl == std::chrono::seconds(600));
  CHECK(config.sessions.max_sessions == 5000);
  CHECK(config.context_cache.window == 40);
  CHECK(config.context_cache.max_conversations == 2000);
  REQUIRE(config.redis);
  CHECK(config.redis->connection.host == "cache.internal");
  CHECK(config.redis->connection.port == 6380);
  CHECK(config.redis->connection.database == 2);
  CHECK(config.redis->connection.connect_timeout.count() == 200);
  CHECK(config.redis->connection.command_timeout.count() == 300);
  CHECK(config.redis->connection.max_connections == 8);
  CHECK(config.redis->connection.check_interval.count() == 500);
  CHECK(config.redis->password_secret == "redis_password");
  CHECK(config.redis->key_prefix == "prod:");
  CHECK_FALSE(config.redis->connection.password);  // read from the secret when the host starts
}

TEST_CASE(
    "the request caps are http keys: the JSON nesting, head size and header field caps, with "
    "their defaults and ranges",
    "[app][config][limits]") {
  agent_test::TempDir dir;
  const auto defaults = load_host_config(dir.write("empty.json", "{}"));
  CHECK(defaults.http.max_json_depth == 64);
  CHECK(defaults.http.max_head_bytes == 65536);
  CHECK(defaults.http.max_header_fields == 100);
  const auto config = load_host_config(dir.write(
      "host.json",
      R"({"http": {"max_json_depth": 8, "max_head_bytes": 2048, "max_header_fields": 10}})"));
  CHECK(config.http.max_json_depth == 8);
  CHECK(config.http.max_head_bytes == 2048);
  CHECK(config.http.max_header_fields == 10);
  const auto refused = [&](const std::string& text, const std::string& message) {
    CHECK_THROWS_WITH(load_host_config(dir.write("bad.json", text)), Catch::Contains(message));
  };
  refused(R"({"http": {"max_json_depth": 0}})", "http.max_json_depth must be an integer 1..256");
  refused(R"({"http": {"max_json_depth": 257}})", "http.max_json_depth must be an integer 1..256");
  refused(R"({"http": {"max_json_depth": "64"}})", "http.max_json_depth");
  refused(R"({"http": {"max_head_bytes": 512}})",
          "http.max_head_bytes must be an integer 1024..65536");
  refused(R"({"http": {"max_head_bytes": 1048576}})", "http.max_head_bytes");
  refused(R"({"http": {"max_header_fields": 0}})",
          "http.max_header_fields must be an integer 1..100");
  refused(R"({"http": {"max_header_fields": 101}})", "http.max_header_fields");
}

TEST_CASE("config errors name the file and the field", "[app][config]") {
  agent_test::TempDir dir;
  auto fails = [&](const std::string& text, const std::string& what) {
    const auto file = dir.write("host.json", text);
    CHECK_THROWS_WITH(load_host_config(file),
                      Catch::Contains(file.string()) && Catch::Contains(what));
  };
  fails("{", "invalid JSON");
  fails(R"({"http": {"port": 70000}})", "http.port");
  fails(R"({"http": {"max_threads": 0}})", "http.max_threads");
  fails(R"({"http": {"prot": 1}})", "unknown key \"prot\"");
  fails(R"({"store": {"type": "postgres"}})", "store.type");
  fails(R"({"secrets": {"k": {"shell": "x"}}})", "secrets.k");
  fails(R"({"log_level": 3})", "log_level");
  fails(R"({"http_client": {"proxy": "http://p:3128"}})", "http_client: unknown key \"proxy\"");
  fails(R"({"http_client": {"verify_peer": "no"}})", "http_client.verify_peer");
  fails(R"({"http_client": {"idle_timeout_ms": 0}})", "http_client.idle_timeout_ms");
  fails(R"({"http_client": {"ca_file": ""}})", "http_client.ca_file");
  fails(R"({"http_client": []})", "http_client must be an object");
  fails(R"({"redis": {}})", "redis.url is required");
  fails(R"({"redis": {"url": "rediss://h"}})", "TLS");
  fails(R"({"redis": {"url": "redis://u:p@h"}})", "password_secret");
  fails(R"({"redis": {"url": "redis://h", "password_secret": "nope"}})", "not in secrets");
  fails(R"({"redis": {"url": "redis://h", "command_timeout_ms": 0}})", "redis.command_timeout_ms");
  fails(R"({"redis": {"url": "redis://h", "ttl": 1}})", "redis: unknown key \"ttl\"");
  fails(R"({"sessions": {"ttl_seconds": 0}})", "sessions.ttl_seconds");
  fails(R"({"context_cache": {"messages": 0}})", "context_cache.messages");
  CHECK_THROWS_WITH(load_host_config(dir.path() / "missing.json"), Catch::Contains("cannot read"));
}

TEST_CASE("check-plugin prints the manifest or the exact refusal", "[app][check-plugin]") {
  std::ostringstream out, err;
  CHECK(check_plugin(agent_test::fixture_plugin("echo_provider"), out, err) == 0);
  const auto report = nlohmann::json::parse(out.str());
  CHECK(report["id"] == "echo");
  CHECK(report["kind"] == "provider");
  CHECK(report["manifest"]["description"] == "Test provider that echoes the last user message");

  std::ostringstream out2, err2;
  CHECK(check_plugin(agent_test::fixture_plugin("broken_newer_minor"), out2, err2) == 1);
  CHECK(out2.str().empty());
  CHECK_THAT(err2.str(), Catch::StartsWith("refused: ") &&
                             Catch::Contains("broken_newer_minor.so") &&
                             Catch::Contains("newer host"));
}

TEST_CASE("the reload, plugins and admin sections configure hot reload", "[app][config]") {
  agent_test::TempDir dir;
  const auto defaults = load_host_config(dir.write("empty.json", "{}"));
  CHECK(defaults.reload.watch);
  CHECK(defaults.reload.debounce.count() == 200);
  CHECK(defaults.reload.unload_deadline.count() == 30000);
  CHECK(defaults.trusted_keys.empty());
  CHECK(admin_routes_enabled(defaults));  // loopback bind by default

  const auto file = dir.write("etc/host.json", R"({
      "http": {"bind": "0.0.0.0"},
      "reload": {"watch": false, "debounce_ms": 50, "unload_deadline_ms": 1000,
                 "cache_dir": "cache"},
      "plugins": {"trusted_keys": ["keys/a.pem"]}})");
  auto config = load_host_config(file);
  CHECK_FALSE(config.reload.watch);
  CHECK(config.reload.debounce.count() == 50);
  CHECK(config.reload.unload_deadline.count() == 1000);
  CHECK(config.reload.cache_dir == dir.path() / "etc/cache");
  CHECK(config.trusted_keys == std::vector<std::filesystem::path>{dir.path() / "etc/keys/a.pem"});
  CHECK_FALSE(admin_routes_enabled(config));  // all interfaces, no auth: off unless asked
  config.auth.enabled = true;                 // with auth the admin role guards them: on
  CHECK(admin_routes_enabled(config));
  config.auth.enabled = false;
  config.admin_enabled = true;
  CHECK(admin_routes_enabled(config));

  CHECK_THROWS_WITH(load_host_config(dir.write("bad.json", R"({"reload": {"watch": 1}})")),
                    Catch::Contains("reload.watch must be true or false"));
  CHECK_THROWS_WITH(load_host_config(dir.write("bad2.json", R"({"plugins": {"keys": []}})")),
                    Catch::Contains("unknown key \"keys\""));
}
