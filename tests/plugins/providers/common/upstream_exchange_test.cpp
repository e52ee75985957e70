// One HTTP attempt through the host's client table, played by the scripted upstream.
#include "common/upstream_exchange.hpp"

#include <catch2/catch.hpp>

#include "common/upstream_error.hpp"
#include "providers/scripted_upstream.hpp"

using namespace providers;
using namespace provider_test;
using std::chrono::milliseconds;

namespace {

struct Fixture {
  ScriptedHost host;
  agent_sdk::HttpClient client{agent_sdk::Host(host.api())};
  std::vector<agent_sdk::SseEvent> events;
  std::string accept;

  ExchangeOutcome run(const ExchangeLimits& limits = {}) {
    agent_sdk::HttpRequest request;
    request.method = "POST";
    request.url = "https://upstream.test/v1/x";
    if (!accept.empty()) request.headers = {{"Accept", accept}};
    return exchange(
        client, request, "test", limits,
        [&](const agent_sdk::SseEvent& event) { events.push_back(event); }, [] { return false; });
  }
};

}  // namespace

TEST_CASE("an event stream goes event by event to the caller, across any piece boundaries",
          "[plugins][providers][exchange]") {
  for (const std::size_t piece : {0, 1, 3, 7}) {
    Fixture f;
    f.host.http.push(sse({{"", R"({"a":1})"}, {"named", R"({"b":2})"}, {"", "[DONE]"}}, piece));
    const ExchangeOutcome outcome = f.run();
    INFO(piece);
    CHECK(outcome.streamed);
    CHECK(outcome.body.empty());
    REQUIRE(f.events.size() == 3);
    CHECK(f.events[0].data == R"({"a":1})");
    CHECK(f.events[1].event == "named");
    CHECK(f.events[2].data == "[DONE]");
  }
}

TEST_CASE("a 2xx answer that is not an event stream comes back whole",
          "[plugins][providers][exchange]") {
  Fixture f;
  f.host.http.push(json_answer(200, {{"ok", true}}));
  const ExchangeOutcome outcome = f.run();
  CHECK_FALSE(outcome.streamed);
  CHECK(parse_json_body(outcome.body, "test") == agent_sdk::Json{{"ok", true}});
  CHECK(f.events.empty());
}

TEST_CASE("an answer without Content-Type is an event stream when one was asked for",
          "[plugins][providers][exchange]") {
  Fixture f;
  ScriptedAnswer bare = sse({{"", "[DONE]"}});
  bare.headers.clear();
  f.host.http.push(bare);
  f.accept = "text/event-stream";
  CHECK(f.run().streamed);
  REQUIRE(f.events.size() == 1);
  CHECK(f.events[0].data == "[DONE]");
  // Asked for JSON: the same bytes come back whole.
  f.host.http.push(bare);
  f.accept = "application/json";
  const ExchangeOutcome whole = f.run();
  CHECK_FALSE(whole.streamed);
  CHECK(whole.body == "data: [DONE]\n\n");
}

TEST_CASE("an error status throws the mapped error with the upstream's Retry-After",
          "[plugins][providers][exchange]") {
  Fixture f;
  f.host.http.push(json_answer(503, {{"error", {{"message", "busy"}}}}, {{"Retry-After", "2"}}));
  try {
    f.run();
    FAIL("no exception");
  } catch (const UpstreamError& e) {
    CHECK(e.code() == AGENT_ERR_UNAVAILABLE);
    CHECK(e.retryable());
    CHECK(e.http_status() == 503);
    CHECK(e.retry_after() == milliseconds(2000));
    CHECK(std::string(e.what()) == "test: upstream unavailable (HTTP 503): busy");
  }
  // An error answered as an event stream is still an error.
  Fixture g;
  ScriptedAnswer answer = sse({{"", R"({"error":{"message":"nope"}})"}});
  answer.status = 400;
  g.host.http.push(answer);
  CHECK_THROWS_WITH(g.run(), Catch::StartsWith("test: upstream refused the request (HTTP 400)"));
  CHECK(g.events.empty());
}

TEST_CASE("transport failures come out as the host client reports them",
          "[plugins][providers][exchange]") {
  Fixture f;
  ScriptedAnswer refused;
  refused.status = 0;  // no answer at all
  refused.transport_error = AGENT_ERR_UNAVAILABLE;
  refused.error_text = "connection refused";
  f.host.http.push(refused);
  try {
    f.run();
    FAIL("no exception");
  } catch (const agent_sdk::Error& e) {
    CHECK(e.code() == AGENT_ERR_UNAVAILABLE);
    CHECK(e.retryable());
    CHECK(std::string(e.what()) == "connection refused");
  }
  ScriptedAnswer slow;
  slow.status = 0;
  slow.transport_error = AGENT_ERR_TIMEOUT;
  slow.error_text = "idle timeout";
  f.host.http.push(slow);
  try {
    f.run();
    FAIL("no exception");
  } catch (const agent_sdk::Error& e) {
    CHECK(e.code() == AGENT_ERR_TIMEOUT);
    CHECK(e.retryable());
  }
}

TEST_CASE("answers past the size limits are refused", "[plugins][providers][exchange]") {
  Fixture f;
  ExchangeLimits limits;
  limits.max_response_bytes = 64;
  f.host.http.push(json_answer(200, {{"text", std::string(100, 'x')}}));
  CHECK_THROWS_WITH(f.run(limits), "test: the answer is larger than 64 bytes");

  limits.max_response_bytes = 1 << 20;
  limits.max_event_bytes = 32;
  f.host.http.push(sse({{"", std::string(100, 'y')}}, 10));
  CHECK_THROWS_WITH(f.run(limits), "test: a streamed event is larger than 32 bytes");
}

TEST_CASE("an error body is kept only up to its bound", "[plugins][providers][exchange]") {
  Fixture f;
  ExchangeLimits limits;
  limits.max_error_body_bytes = 16;
  f.host.http.push(json_answer(400, {{"error", {{"message", std::string(100, 'z')}}}}));
  // The truncated body is not JSON any more: quoted as text, bounded.
  CHECK_THROWS_WITH(f.run(limits),
                    "test: upstream refused the request (HTTP 400): {\"error\":{\"messa");
}

TEST_CASE("a body that is not a JSON object is a retryable malformed answer",
          "[plugins][providers][exchange]") {
  for (const char* body : {"", "not json", "[1,2]", "{\"a\":"}) {
    try {
      parse_json_body(body, "test");
      FAIL("no exception");
    } catch (const UpstreamError& e) {
      CHECK(e.code() == AGENT_ERR_UPSTREAM);
      CHECK(e.retryable());
    }
  }
}
