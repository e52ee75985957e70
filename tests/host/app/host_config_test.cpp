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
