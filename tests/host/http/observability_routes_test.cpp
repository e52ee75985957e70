// GET /metrics, /ready, /health, /openapi.json and /docs on a real host over a real socket, and
// the request id reaching the upstream (the fake OpenAI server) as X-Request-Id.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "observability/host_metrics.h"
#include "security/route_access.h"
#include "support/fake_upstream.h"
#include "support/sse_client.h"
#include "support/temp_dir.h"
#include "support/test_host.h"
#include "support/websocket_client.h"

using agent_test::http_request;
using agent_test::post_json;
using agent_test::TestHost;
using nlohmann::json;

namespace {

// The value of one sample line ("name{labels} value"), or -1 when absent.
double sample(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

// An agent answering through the openai plugin at the fake upstream, without retries.
json openai_agent(const std::string& id, const agent_test::FakeUpstream& fake) {
  json agent = agent_test::fixture_agent(id);
  agent["provider"] = {{"id", "openai"},
                       {"config",
                        {{"base_url", fake.base_url() + "/v1"},
                         {"model", "gpt-4o"},
                         {"retry", {{"max_attempts", 1}}}}}};
  return agent;
}

std::function<void(agent_host::app::HostConfig&)> with_key(const agent_test::FakeUpstream& fake) {
  const std::string key = fake.api_key();
  return [key](agent_host::app::HostConfig& config) {
    using Source = agent_host::plugins::SecretSource;
    config.secrets["openai_api_key"] = Source{Source::Type::value, key};
  };
}

// promtool check metrics reads the text on stdin; exit status 0 means valid and lint-clean.
std::pair<int, std::string> promtool_check(const std::string& text) {
  agent_test::TempDir dir;
  dir.write("metrics.txt", text);
  const std::string command = "promtool check metrics < '" + (dir.path() / "metrics.txt").string() +
                              "' > '" + (dir.path() / "out.txt").string() + "' 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(dir.path() / "out.txt");
  std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::set<std::string> spec_operations(const json& spec) {
  std::set<std::string> out;
  for (const auto& [path, item] : spec["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert(upper + " " + path);
    }
  }
  return out;
}

std::set<std::string> router_operations(const agent_host::http::Router& router) {
  std::set<std::string> out;
  for (const auto& route : router.routes()) out.insert(route.method + " " + route.pattern);
  return out;
}

}  // namespace

TEST_CASE("GET /metrics after traffic passes promtool check and keys requests on route patterns",
          "[http][observability][metrics]") {
  TestHost host;
  const auto before = http_request(host.port(), "GET", "/metrics").body;
  const double turns_before = sample(before, "conversations_total");
  for (int i = 0; i < 2; ++i) {
    REQUIRE(
        post_json(host.port(), "/agents/fx/chat", {{"user_id", "u"}, {"message", "hi"}}).status ==
        200);
  }
  CHECK(http_request(host.port(), "GET", "/agents/fx").status == 200);
  CHECK(http_request(host.port(), "GET", "/agents/nobody").status == 404);
  CHECK(http_request(host.port(), "GET", "/no/such/path").status == 404);
  CHECK(http_request(host.port(), "GET", "/conversations?user_id=").status == 422);

  const auto metrics = http_request(host.port(), "GET", "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.headers.at("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = metrics.body;
  INFO(text);
  CHECK(
      sample(
          text,
          R"(agent_host_http_requests_total{route="/agents/{id}/chat",method="POST",status="200"})") >=
      2);
  CHECK(
      sample(text,
             R"(agent_host_http_requests_total{route="/agents/{id}",method="GET",status="404"})") >=
      1);
  CHECK(sample(text,
               R"(agent_host_http_requests_total{route="unmatched",method="GET",status="404"})") >=
        1);
  // Raw paths never become label values: one series per route, however many ids.
  CHECK(text.find("/agents/fx") == std::string::npos);
  CHECK(text.find("/no/such/path") == std::string::npos);
  CHECK(sample(text,
               R"(agent_host_http_request_duration_seconds_count{route="/agents/{id}/chat"})") >=
        2);
  CHECK(sample(text, R"(agent_host_tokens_total{agent="fx",provider="echo",kind="prompt"})") >= 14);
  CHECK(sample(text, R"(agent_host_tokens_total{agent="fx",provider="echo",kind="completion"})") >=
        6);
  CHECK(sample(text, "conversations_total") >= turns_before + 2);
  CHECK(sample(text, "response_time_seconds_count") >= 2);
  CHECK(sample(text, R"(errors_total{error_type="agent_not_found"})") >= 1);
  CHECK(sample(text, R"(errors_total{error_type="invalid_request"})") >= 1);
  CHECK(sample(text, "agent_host_http_requests_in_flight") >= 1);  // this scrape
  CHECK(sample(text, "agent_host_streams_in_flight") == 0);
  CHECK(sample(text, "agent_host_http_queued_connections") >= 0);
  CHECK(sample(text, "agent_host_plugin_loads_total") >= 1);
  CHECK(sample(text, "agent_host_plugin_refusals_total") >= 1);  // not_a_library.so
  CHECK(sample(text, "agent_host_agents_served") >= 1);

  const auto [status, output] = promtool_check(text);
  INFO(output);
  CHECK(status == 0);
}

TEST_CASE(
    "provider failures are counted by type and shown by /ready without making it fail, and "
    "the request id reaches the upstream as X-Request-Id",
    "[http][observability][metrics][readiness]") {
  agent_test::FakeUpstream fake;
  TestHost host(with_key(fake), {openai_agent("up", fake)});
  auto& errors = agent_host::observability::host_metrics().upstream_errors;
  const auto http_5xx_before = errors.with({"openai", "http_5xx"}).value();

  fake.reset();
  const auto ok = http_request(host.port(), "POST", "/agents/up/chat",
                               json{{"user_id", "u"}, {"message", "hello"}}.dump(),
                               "application/json", {{"X-Request-Id", "trace-obs-1"}});
  REQUIRE(ok.status == 200);
  CHECK(fake.requests(1)[0]["headers"]["x-request-id"] == "trace-obs-1");

  // A generated id (none sent) is the one the upstream sees too.
  fake.reset();
  const auto generated =
      post_json(host.port(), "/agents/up/chat", {{"user_id", "u"}, {"message", "again"}});
  REQUIRE(generated.status == 200);
  CHECK(fake.requests(1)[0]["headers"]["x-request-id"] == generated.headers.at("X-Request-Id"));

  const auto failed = post_json(host.port(), "/agents/up/chat",
                                {{"user_id", "u"}, {"message", "[[status:500]] fail"}});
  CHECK(failed.status == 502);
  CHECK(errors.with({"openai", "http_5xx"}).value() == http_5xx_before + 1);
  const auto metrics = http_request(host.port(), "GET", "/metrics").body;
  CHECK(sample(metrics, R"(agent_host_upstream_errors_total{provider="openai",type="http_5xx"})") >=
        1);
  CHECK(sample(metrics,
               R"(agent_host_tokens_total{agent="up",provider="openai",kind="completion"})") >= 1);

  auto ready = http_request(host.port(), "GET", "/ready");
  INFO(ready.body);
  CHECK(ready.status == 200);  // providers are informational
  const json& openai = ready.json["checks"]["providers"]["providers"]["openai"];
  CHECK(openai["status"] == "failing");
  CHECK(openai["last_error"].get<std::string>().find("HTTP 500") != std::string::npos);
  CHECK(openai.contains("last_error_at"));
  CHECK(ready.json["checks"]["providers"]["required"] == false);

  REQUIRE(
      post_json(host.port(), "/agents/up/chat", {{"user_id", "u"}, {"message", "fine"}}).status ==
      200);
  ready = http_request(host.port(), "GET", "/ready");
  CHECK(ready.json["checks"]["providers"]["providers"]["openai"]["status"] == "ok");
}

TEST_CASE(
    "an error sent after a stream started (an SSE or WebSocket error event, an OpenAI chunk "
    "stream's error line) is counted in errors_total by its code",
    "[http][observability][metrics][stream]") {
  agent_test::FakeUpstream fake;
  TestHost host(with_key(fake), {openai_agent("up", fake)});
  const auto counted = [&](const std::string& code) {
    const std::string text = http_request(host.port(), "GET", "/metrics").body;
    return std::max(sample(text, "errors_total{error_type=\"" + code + "\"}"), 0.0);
  };
  // The fake upstream sends a few deltas, then cuts the connection.
  const json cut = {{"user_id", "u"}, {"message", "[[cut]] tell me about budgets"}};

  json sse_body = cut;
  sse_body["stream"] = true;
  const auto sse = agent_test::SseClient(host.port()).post("/agents/up/chat", sse_body);
  REQUIRE(sse.status == 200);
  REQUIRE(sse.events.size() >= 2);
  CHECK(sse.events.front().event == "delta");
  REQUIRE(sse.events.back().event == "error");
  const std::string code = sse.events.back().json["error"]["code"];
  const double after_sse = counted(code);
  CHECK(after_sse >= 1);

  agent_test::WebSocketClient socket(host.port(), "/agents/up/ws");
  const auto frames = socket.turn(cut);
  CHECK(frames.front()["event"] == "delta");
  REQUIRE(frames.back()["event"] == "error");
  CHECK(frames.back()["data"]["error"]["code"] == code);
  CHECK(counted(code) == after_sse + 1);
  // A WebSocket message refused before any turn is an error event too.
  const double malformed = counted("malformed_json");
  socket.send_text("{not json");
  CHECK(socket.receive()["data"]["error"]["code"] == "malformed_json");
  CHECK(counted("malformed_json") == malformed + 1);

  const json completion = {{"model", "up"},
                           {"stream", true},
                           {"messages", {{{"role", "user"}, {"content", cut["message"]}}}}};
  const auto chunks = agent_test::SseClient(host.port()).post("/v1/chat/completions", completion);
  REQUIRE(chunks.status == 200);
  REQUIRE(chunks.events.size() >= 2);
  CHECK(chunks.events.front().json["object"] == "chat.completion.chunk");
  CHECK(chunks.events.back().json["error"]["code"] == code);
  CHECK(counted(code) == after_sse + 2);
}

TEST_CASE(
    "GET /ready answers 200 with every check when the host can serve, /health stays "
    "compatible",
    "[http][observability][readiness]") {
  TestHost host;
  const auto ready = http_request(host.port(), "GET", "/ready");
  INFO(ready.body);
  CHECK(ready.status == 200);
  CHECK(ready.headers.at("Cache-Control") == "no-store");
  CHECK(ready.json["status"] == "ready");
  CHECK(ready.json["checks"]["store"]["status"] == "ok");
  CHECK(ready.json["checks"]["store"]["type"] == "memory");
  CHECK(ready.json["checks"]["plugins"]["status"] == "ok");
  CHECK(ready.json["checks"]["plugins"]["agents"].get<int>() >= 1);
  CHECK(ready.json["checks"]["plugins"]["refused"].size() >= 1);  // not_a_library.so
  CHECK(ready.json["checks"].contains("providers"));

  const auto health = http_request(host.port(), "GET", "/health");
  CHECK(health.status == 200);
  for (const char* field : {"status", "version", "uptime_seconds", "agents", "agents_refused",
                            "plugins", "plugins_refused", "dependencies"}) {
    CHECK(health.json.contains(field));
  }
}

TEST_CASE(
    "GET /ready answers 503 naming the disk check when the data directory has less free "
    "space than the threshold, while /health stays 200",
    "[http][observability][readiness]") {
  agent_test::TempDir data;
  TestHost host([&](agent_host::app::HostConfig& config) {
    config.store.type = agent_host::store::StoreConfig::Type::sqlite;
    config.store.sqlite_path = data.path() / "db" / "agent-host.db";
    config.ready_min_free_disk_mb = std::uint64_t{1} << 40;  // an exabyte: never there
  });
  const auto ready = http_request(host.port(), "GET", "/ready");
  INFO(ready.body);
  CHECK(ready.status == 503);
  CHECK(ready.json["status"] == "not_ready");
  CHECK(ready.json["checks"]["disk"]["status"] == "failing");
  CHECK(ready.json["checks"]["disk"]["path"] == (data.path() / "db").string());
  CHECK(ready.json["checks"]["store"]["status"] == "ok");
  CHECK(ready.json["checks"]["store"]["type"] == "sqlite");
  CHECK(http_request(host.port(), "GET", "/health").status == 200);
}

TEST_CASE("GET /ready answers 503 when no agent can be served",
          "[http][observability][readiness]") {
  agent_test::TempDir empty;
  empty.write("agents/.keep", "");
  TestHost host(
      [&](agent_host::app::HostConfig& config) { config.agents_dir = empty.path() / "agents"; });
  const auto ready = http_request(host.port(), "GET", "/ready");
  INFO(ready.body);
  CHECK(ready.status == 503);
  CHECK(ready.json["checks"]["plugins"]["status"] == "failing");
  CHECK(ready.json["checks"]["plugins"]["agents"] == 0);
}

TEST_CASE(
    "GET /openapi.json describes exactly the router's routes, admin routes included when "
    "enabled",
    "[http][openapi]") {
  TestHost host;  // loopback bind: admin routes on
  const auto answer = http_request(host.port(), "GET", "/openapi.json");
  REQUIRE(answer.status == 200);
  CHECK(answer.headers.at("Content-Type") == "application/json");
  const json& spec = answer.json;
  REQUIRE(spec.is_object());
  CHECK(spec["openapi"] == "3.1.0");

  const auto described = spec_operations(spec);
  const auto served = router_operations(host.app().router());
  for (const auto& operation : served) {
    INFO("served but not described: " << operation);
    CHECK(described.count(operation) == 1);
  }
  for (const auto& operation : described) {
    INFO("described but not served: " << operation);
    CHECK(served.count(operation) == 1);
  }

  // Without admin routes the description still lists them (marked "only when admin.enabled"),
  // and they are the only difference.
  TestHost plain([](agent_host::app::HostConfig& config) { config.admin_enabled = false; });
  const auto without_admin = router_operations(plain.app().router());
  for (const auto& operation : described) {
    if (without_admin.count(operation) == 0) {
      INFO(operation);
      CHECK(operation.find(" /admin/") != std::string::npos);
    }
  }
}

TEST_CASE(
    "every operation of the API description declares its path parameters, its errors in "
    "the error_body shape and refers only to schemas that exist",
    "[http][openapi]") {
  TestHost host;
  const json spec = http_request(host.port(), "GET", "/openapi.json").json;
  const json& schemas = spec["components"]["schemas"];
  const std::regex ref_pattern("\"\\$ref\":\"#/components/schemas/([A-Za-z]+)\"");
  const std::string text = spec.dump();
  for (std::sregex_iterator it(text.begin(), text.end(), ref_pattern), end; it != end; ++it) {
    INFO((*it)[1].str());
    CHECK(schemas.contains((*it)[1].str()));
  }
  CHECK(schemas["Error"]["required"] == json::array({"error"}));
  CHECK(schemas["Error"]["properties"]["error"]["required"] ==
        json::array({"code", "message", "request_id"}));

  const std::regex param_pattern("\\{([a-z_]+)\\}");
  for (const auto& [path, item] : spec["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      INFO(method << " " << path);
      std::set<std::string> declared;
      for (const auto& parameter : operation.value("parameters", json::array())) {
        if (parameter["in"] == "path") declared.insert(parameter["name"].get<std::string>());
      }
      for (std::sregex_iterator it(path.begin(), path.end(), param_pattern), end; it != end; ++it) {
        CHECK(declared.count((*it)[1].str()) == 1);
      }
      const json& responses = operation["responses"];
      CHECK(responses.contains("500"));
      CHECK(responses.contains("503"));
      for (const auto& [status, response] : responses.items()) {
        if (status[0] != '4' && status[0] != '5') continue;
        INFO(status);
        const std::string body = response["content"]["application/json"]["schema"].dump();
        CHECK((body.find("/Error\"") != std::string::npos ||
               body.find("/OpenAIError\"") != std::string::npos));
      }
    }
  }
}

TEST_CASE("GET /docs is one self-contained HTML page that renders /openapi.json",
          "[http][openapi]") {
  TestHost host;
  const auto docs = http_request(host.port(), "GET", "/docs");
  REQUIRE(docs.status == 200);
  CHECK(docs.headers.at("Content-Type") == "text/html; charset=utf-8");
  CHECK(docs.headers.at("Content-Security-Policy").find("default-src 'none'") != std::string::npos);
  CHECK(docs.body.find("<!DOCTYPE html>") == 0);
  CHECK(docs.body.find("fetch(\"openapi.json\")") != std::string::npos);
  // Nothing is loaded from elsewhere.
  CHECK(docs.body.find("http://") == std::string::npos);
  CHECK(docs.body.find("https://") == std::string::npos);
  CHECK(docs.body.find("src=") == std::string::npos);
}

TEST_CASE(
    "the API description names the role of each route as the route access table does and "
    "declares 401 and 403 on every route that needs a credential",
    "[http][openapi][security]") {
  TestHost host;
  const json spec = http_request(host.port(), "GET", "/openapi.json").json;
  REQUIRE(spec["components"]["securitySchemes"].contains("bearerAuth"));
  for (const auto& [path, item] : spec["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      std::string upper = method;
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      INFO(upper << " " << path);
      const auto access = agent_host::security::route_access(upper, path);
      if (access == agent_host::security::Access::open) {
        CHECK_FALSE(operation.contains("x-required-role"));
        CHECK_FALSE(operation["responses"].contains("401"));
      } else {
        CHECK(operation.value("x-required-role", "") == agent_host::security::access_name(access));
        CHECK(operation["responses"].contains("401"));
        CHECK(operation["responses"].contains("403"));
      }
      CHECK(operation["responses"].contains("429"));
    }
  }
}
