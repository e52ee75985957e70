// The abuse limits through a real host on a loopback socket: rate limits with their headers,
// keyed on the principal when there is one; token budgets; CORS; the JSON depth, header count
// and per-client connection caps.
#include <Poco/Net/StreamSocket.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "http/api_error.h"
#include "http/http_server.h"
#include "limits/local_rate_limiter.h"
#include "limits/rate_limit_filter.h"
#include "support/test_host.h"
#include "support/websocket_client.h"

using agent_host::app::HostConfig;
using agent_host::limits::RateRule;
using agent_test::http_request;
using agent_test::post_json;
using agent_test::raw_body_json;
using agent_test::raw_exchange;
using agent_test::TestHost;

namespace {

// A response header's value, "" when absent.
std::string header(const agent_test::HttpResult& result, const std::string& name) {
  const auto it = result.headers.find(name);
  return it == result.headers.end() ? std::string() : it->second;
}

nlohmann::json chat_body(const std::string& message = "hello") {
  return {{"user_id", "alice"}, {"message", message}};
}

void check_error(const agent_test::HttpResult& result, int status, const std::string& code) {
  INFO(result.body);
  CHECK(result.status == status);
  REQUIRE(result.json.is_object());
  CHECK(result.json["error"]["code"] == code);
  CHECK_FALSE(result.json["error"]["request_id"].get<std::string>().empty());
}

}  // namespace

TEST_CASE(
    "by default the 61st chat request in a minute from one client gets 429 with "
    "Retry-After and the RateLimit fields",
    "[limits][rate][http]") {
  TestHost host;
  for (int i = 0; i < 60; ++i) {
    const auto result = post_json(host.port(), "/agents/fx/chat", chat_body());
    REQUIRE(result.status == 200);
    if (i == 0) {
      CHECK(header(result, "RateLimit-Policy") == "\"chat\";q=60;w=60");
      CHECK(header(result, "RateLimit") == "\"chat\";r=59;t=1");
    }
  }
  // The OpenAI-compatible route shares the chat quota.
  const auto refused =
      post_json(host.port(), "/v1/chat/completions",
                {{"model", "fx"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}});
  check_error(refused, 429, "rate_limited");
  CHECK(header(refused, "Retry-After") == "1");
  CHECK(header(refused, "RateLimit").rfind("\"chat\";r=0;t=", 0) == 0);
  CHECK_THAT(refused.json["error"]["message"].get<std::string>(),
             Catch::Contains("60 requests per 60 s"));
  // Routes without a rule are not limited and carry no RateLimit fields.
  const auto health = http_request(host.port(), "GET", "/health");
  CHECK(health.status == 200);
  CHECK(health.headers.count("RateLimit") == 0);
}

TEST_CASE("configured rate rules replace the default, and an empty list turns rate limits off",
          "[limits][rate][http]") {
  TestHost limited([](HostConfig& config) {
    config.limits.rate = {RateRule{"listing", {"GET /agents"}, 2, 3600}};
  });
  CHECK(http_request(limited.port(), "GET", "/agents").status == 200);
  const auto second = http_request(limited.port(), "GET", "/agents");
  CHECK(second.status == 200);
  CHECK(header(second, "RateLimit") == "\"listing\";r=0;t=3600");
  const auto third = http_request(limited.port(), "GET", "/agents");
  check_error(third, 429, "rate_limited");
  CHECK(header(third, "Retry-After") == "1800");

  TestHost unlimited([](HostConfig& config) { config.limits.rate.clear(); });
  for (int i = 0; i < 70; ++i) {
    REQUIRE(post_json(unlimited.port(), "/agents/fx/chat", chat_body()).status == 200);
  }
}

TEST_CASE(
    "rate limits key on the principal's credential when authentication set one, so two "
    "keys behind one address have their own quotas",
    "[limits][rate][http]") {
  agent_host::limits::LocalRateLimiter limiter(100);
  agent_host::http::Router router;
  // Stands in for authentication: the principal comes from a header.
  router.add_filter([](agent_host::http::RequestContext& context) {
    const std::string key = context.request().get("X-Test-Key", "");
    if (!key.empty()) {
      context.set_principal({"user-" + key, "tenant", {"user"}, "key:" + key});
    }
  });
  router.add_filter(agent_host::limits::make_rate_limit_filter(
      {RateRule{"ping", {"GET /ping"}, 1, 60}}, limiter));
  router.add("GET", "/ping", [](agent_host::http::RequestContext& context) {
    context.send_json(200, {{"ok", true}});
  });
  agent_host::http::ServerOptions options;
  options.port = 0;
  options.max_threads = 8;
  agent_host::http::HttpServer server(router, options);
  server.start();
  const auto get = [&](const std::string& key) {
    return http_request(server.port(), "GET", "/ping", "", "",
                        key.empty() ? std::map<std::string, std::string>{}
                                    : std::map<std::string, std::string>{{"X-Test-Key", key}});
  };
  CHECK(get("a").status == 200);
  CHECK(get("a").status == 429);
  CHECK(get("b").status == 200);
  CHECK(get("").status == 200);  // anonymous: the client address has its own quota
  CHECK(get("").status == 429);
  server.stop();
}

TEST_CASE(
    "a spent per-agent token budget answers 429 token_budget_exceeded with Retry-After, "
    "streamed or not, and leaves other agents alone",
    "[limits][budgets][http]") {
  TestHost host([](HostConfig& config) {
    config.limits.per_agent = {1, 3600};  // the first turn spends it
  });
  REQUIRE(post_json(host.port(), "/agents/fx/chat", chat_body()).status == 200);
  const auto refused = post_json(host.port(), "/agents/fx/chat", chat_body());
  check_error(refused, 429, "token_budget_exceeded");
  const int wait = std::stoi(header(refused, "Retry-After"));
  CHECK(wait >= 1);
  CHECK(wait <= 3600);
  CHECK_THAT(refused.json["error"]["message"].get<std::string>(), Catch::Contains("agent fx"));
  // Streamed: the refusal arrives as the stream's error event.
  nlohmann::json streamed = chat_body();
  streamed["stream"] = true;
  const auto stream = post_json(host.port(), "/agents/fx/chat", streamed);
  CHECK_THAT(stream.body,
             Catch::Contains("event: error") && Catch::Contains("token_budget_exceeded"));
  // Another agent has its own budget.
  CHECK(post_json(host.port(), "/agents/agent_alpha/chat", chat_body()).status == 200);
}

TEST_CASE(
    "on /v1 routes rate-limit and token-budget refusals are 429 in OpenAI's error shape and keep "
    "Retry-After and the RateLimit fields",
    "[limits][rate][budgets][http][openai]") {
  TestHost host([](HostConfig& config) {
    config.limits.rate = {RateRule{"models", {"GET /v1/models"}, 1, 3600}};
    config.limits.per_agent = {1, 3600};  // the first turn spends it
  });
  const auto check_openai_429 = [](const agent_test::HttpResult& result, const std::string& code) {
    INFO(result.body);
    CHECK(result.status == 429);
    REQUIRE(result.json.is_object());
    const nlohmann::json& error = result.json["error"];
    CHECK(error["code"] == code);
    CHECK(error["type"] == "rate_limit_error");
    CHECK(error.contains("param"));
    CHECK(error["param"].is_null());
    CHECK_FALSE(error["message"].get<std::string>().empty());
    CHECK_FALSE(error["request_id"].get<std::string>().empty());
    CHECK(std::stoi(header(result, "Retry-After")) >= 1);
  };
  REQUIRE(http_request(host.port(), "GET", "/v1/models").status == 200);
  const auto limited = http_request(host.port(), "GET", "/v1/models");
  check_openai_429(limited, "rate_limited");
  CHECK(header(limited, "Retry-After") == "3600");
  CHECK(header(limited, "RateLimit-Policy") == "\"models\";q=1;w=3600");
  CHECK(header(limited, "RateLimit").rfind("\"models\";r=0;t=", 0) == 0);
  CHECK_THAT(limited.json["error"]["message"].get<std::string>(),
             Catch::Contains("1 requests per 3600 s"));

  const nlohmann::json completion = {{"model", "fx"},
                                     {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
  REQUIRE(post_json(host.port(), "/v1/chat/completions", completion).status == 200);
  const auto spent = post_json(host.port(), "/v1/chat/completions", completion);
  check_openai_429(spent, "token_budget_exceeded");
  CHECK_THAT(spent.json["error"]["message"].get<std::string>(), Catch::Contains("agent fx"));
  // Streamed: refused before the stream starts, so the same plain 429.
  nlohmann::json streamed = completion;
  streamed["stream"] = true;
  check_openai_429(post_json(host.port(), "/v1/chat/completions", streamed),
                   "token_budget_exceeded");
  // The native routes keep the host's own shape.
  const auto native = post_json(host.port(), "/agents/fx/chat", chat_body());
  check_error(native, 429, "token_budget_exceeded");
  CHECK_FALSE(native.json["error"].contains("type"));
}

TEST_CASE("without an allow-list CORS allows nothing: no CORS headers and preflights refused",
          "[limits][cors][http]") {
  TestHost host;
  const auto simple =
      http_request(host.port(), "GET", "/agents", "", "", {{"Origin", "https://app.example.com"}});
  CHECK(simple.status == 200);
  CHECK(simple.headers.count("Access-Control-Allow-Origin") == 0);
  const auto preflight = http_request(
      host.port(), "OPTIONS", "/agents/fx/chat", "", "",
      {{"Origin", "https://app.example.com"}, {"Access-Control-Request-Method", "POST"}});
  check_error(preflight, 403, "cors_refused");
  CHECK(preflight.headers.count("Access-Control-Allow-Origin") == 0);
}

TEST_CASE(
    "with an allow-list, preflights from allowed origins get 204 on any route, others are "
    "refused, and simple requests get Access-Control-Allow-Origin only when allowed",
    "[limits][cors][http]") {
  TestHost host([](HostConfig& config) {
    config.limits.cors.allowed_origins = {"https://app.example.com"};
    config.limits.cors.max_age_s = 120;
  });
  const std::string origin = "https://app.example.com";
  // POST-only route: the preflight is answered before the router would say 405.
  const auto preflight = http_request(host.port(), "OPTIONS", "/agents/fx/chat", "", "",
                                      {{"Origin", origin},
                                       {"Access-Control-Request-Method", "POST"},
                                       {"Access-Control-Request-Headers", "content-type"}});
  CHECK(preflight.status == 204);
  CHECK(header(preflight, "Access-Control-Allow-Origin") == origin);
  CHECK_THAT(header(preflight, "Access-Control-Allow-Methods"), Catch::Contains("POST"));
  CHECK_THAT(header(preflight, "Access-Control-Allow-Headers"), Catch::Contains("Content-Type"));
  CHECK(header(preflight, "Access-Control-Max-Age") == "120");
  CHECK(header(preflight, "Vary") == "Origin");

  check_error(
      http_request(host.port(), "OPTIONS", "/agents", "", "",
                   {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "GET"}}),
      403, "cors_refused");
  check_error(http_request(host.port(), "OPTIONS", "/agents", "", "",
                           {{"Origin", origin}, {"Access-Control-Request-Method", "PATCH"}}),
              403, "cors_refused");
  check_error(http_request(host.port(), "OPTIONS", "/agents", "", "",
                           {{"Origin", origin},
                            {"Access-Control-Request-Method", "GET"},
                            {"Access-Control-Request-Headers", "X-Secret"}}),
              403, "cors_refused");

  const auto allowed = http_request(host.port(), "GET", "/agents", "", "", {{"Origin", origin}});
  CHECK(allowed.status == 200);
  CHECK(header(allowed, "Access-Control-Allow-Origin") == origin);
  CHECK_THAT(header(allowed, "Access-Control-Expose-Headers"), Catch::Contains("RateLimit"));
  // Errors carry it too, so the page can read them.
  const auto missing =
      http_request(host.port(), "GET", "/agents/nobody", "", "", {{"Origin", origin}});
  CHECK(missing.status == 404);
  CHECK(header(missing, "Access-Control-Allow-Origin") == origin);
  const auto other =
      http_request(host.port(), "GET", "/agents", "", "", {{"Origin", "https://evil.example"}});
  CHECK(other.status == 200);
  CHECK(other.headers.count("Access-Control-Allow-Origin") == 0);
}

TEST_CASE("JSON nested deeper than 64 levels is refused 400 json_too_deep before it is parsed",
          "[limits][caps][http]") {
  TestHost host;
  std::string deep = "{\"user_id\": \"alice\", \"message\": \"hi\", \"context\": {\"x\": ";
  deep += std::string(100, '[') + std::string(100, ']') + "}}";
  const auto result = http_request(host.port(), "POST", "/agents/fx/chat", deep);
  check_error(result, 400, "json_too_deep");
  CHECK_THAT(result.json["error"]["message"].get<std::string>(), Catch::Contains("64"));
  // A depth within the cap is not refused for its depth.
  std::string fine = "{\"user_id\": \"alice\", \"message\": \"hi\", \"context\": {\"x\": ";
  fine += std::string(10, '[') + std::string(10, ']') + "}}";
  CHECK(http_request(host.port(), "POST", "/agents/fx/chat", fine).status == 200);
}

TEST_CASE(
    "configured request caps are enforced: http.max_json_depth on bodies and WebSocket "
    "messages, http.max_header_fields and http.max_head_bytes on heads",
    "[limits][caps][http]") {
  TestHost host([](HostConfig& config) {
    config.http.max_json_depth = 8;
    config.http.max_header_fields = 10;
    config.http.max_head_bytes = 2048;
  });
  const auto nested = [](int depth) {
    return "{\"user_id\": \"alice\", \"message\": \"hi\", \"context\": {\"x\": " +
           std::string(depth - 2, '[') + std::string(depth - 2, ']') + "}}";
  };
  CHECK(http_request(host.port(), "POST", "/agents/fx/chat", nested(8)).status == 200);
  const auto deep = http_request(host.port(), "POST", "/agents/fx/chat", nested(9));
  check_error(deep, 400, "json_too_deep");
  CHECK_THAT(deep.json["error"]["message"].get<std::string>(), Catch::Contains("than 8 levels"));

  agent_test::WebSocketClient socket(host.port());
  socket.send_text(nested(9));
  const auto refused = socket.receive();
  CHECK(refused["event"] == "error");
  CHECK(refused["data"]["error"]["code"] == "json_too_deep");
  CHECK(socket.turn(nlohmann::json::parse(nested(8))).back()["event"] == "done");

  const auto head_with = [&](int fields, std::size_t value_bytes) {
    std::string head = "GET /health HTTP/1.1\r\nHost: x\r\n";  // Host is one field
    for (int i = 1; i < fields; ++i) {
      head += "X-Field-" + std::to_string(i) + ": " + std::string(value_bytes, 'v') + "\r\n";
    }
    return raw_exchange(host.port(), head + "\r\n");
  };
  CHECK_THAT(head_with(10, 1), Catch::StartsWith("HTTP/1.1 200"));
  const std::string many = head_with(11, 1);
  CHECK_THAT(many, Catch::StartsWith("HTTP/1.1 431"));
  CHECK_THAT(raw_body_json(many)["error"]["message"].get<std::string>(),
             Catch::Contains("more than 10 header fields"));
  CHECK_THAT(head_with(5, 300), Catch::StartsWith("HTTP/1.1 200"));  // about 1.3 KB
  const std::string large = head_with(5, 600);                       // about 2.5 KB
  CHECK_THAT(large, Catch::StartsWith("HTTP/1.1 431"));
  CHECK_THAT(raw_body_json(large)["error"]["message"].get<std::string>(),
             Catch::Contains("larger than 2048 bytes"));
}

TEST_CASE("a request with more than 100 header fields gets 431", "[limits][caps][http]") {
  TestHost host;
  std::string head = "GET /health HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 120; ++i) head += "X-Field-" + std::to_string(i) + ": v\r\n";
  const std::string response = raw_exchange(host.port(), head + "\r\n");
  CHECK_THAT(response, Catch::StartsWith("HTTP/1.1 431"));
  CHECK(raw_body_json(response)["error"]["code"] == "headers_too_large");
}

TEST_CASE(
    "a client over max_connections_per_client gets 429 too_many_connections and a close, and "
    "its place comes back when a connection ends",
    "[limits][caps][http]") {
  TestHost host([](HostConfig& config) { config.http.max_connections_per_client = 2; });
  const Poco::Net::SocketAddress address("127.0.0.1", static_cast<Poco::UInt16>(host.port()));
  auto first = std::make_unique<Poco::Net::StreamSocket>(address);
  Poco::Net::StreamSocket second(address);
  // Make sure both are accepted (and counted) before the third arrives.
  const std::string ping = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
  for (Poco::Net::StreamSocket* socket : {first.get(), &second}) {
    socket->sendBytes(ping.data(), static_cast<int>(ping.size()));
    char buffer[1024];
    REQUIRE(socket->receiveBytes(buffer, sizeof(buffer)) > 0);
  }
  const std::string refused = raw_exchange(host.port(), ping);
  CHECK_THAT(refused, Catch::StartsWith("HTTP/1.1 429"));
  CHECK(raw_body_json(refused)["error"]["code"] == "too_many_connections");
  CHECK_THAT(refused, Catch::Contains("Retry-After"));

  first->close();
  first.reset();
  // The server notices the close at its next read; bounded wait for the place to come back.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    status = http_request(host.port(), "GET", "/health").status;
    if (status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(status == 200);
}
