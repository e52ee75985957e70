// Streamed chat (Server-Sent Events), provider fallback and client disconnects, over a real
// socket against an in-process host.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "support/sse_client.h"
#include "support/test_host.h"

using agent_test::events_named;
using agent_test::http_request;
using agent_test::post_json;
using agent_test::SseClient;
using agent_test::TestHost;
using nlohmann::json;

namespace {

json chat(const std::string& message, bool stream = true) {
  json body = {{"user_id", "user-1"}, {"message", message}};
  if (stream) body["stream"] = true;
  return body;
}

// fx with a provider chain: the first provider's config makes it fail as `failure` says.
json chain_agent(const std::string& id, const std::string& failure) {
  json agent = agent_test::fixture_agent(id);
  agent["provider"] = {{"id", "echo"}, {"config", {{"prefix", "primary"}, {"fail", failure}}}};
  agent["fallback_providers"] = json::array({{{"id", "echo"}, {"config", {{"prefix", "backup"}}}}});
  return agent;
}

}  // namespace

TEST_CASE("a streamed chat answers Server-Sent Events: deltas, then done with usage",
          "[http][stream]") {
  TestHost host;
  SseClient client(host.port());
  const auto result =
      client.post("/agents/agent_alpha/chat", chat("How should I think about an emergency fund?"));
  REQUIRE(result.status == 200);
  CHECK(result.content_type.rfind("text/event-stream", 0) == 0);
  const auto deltas = events_named(result, "delta");
  const auto done = events_named(result, "done");
  REQUIRE(deltas.size() > 1);
  REQUIRE(done.size() == 1);
  CHECK(result.events.back().event == "done");
  // Every event has an id, increasing from 1.
  for (std::size_t i = 0; i < result.events.size(); ++i) {
    CHECK(result.events[i].id == std::to_string(i + 1));
  }
  // The deltas add up to the final answer, the appended disclaimer included.
  std::string streamed;
  for (const auto& delta : deltas) streamed += delta.json["text"].get<std::string>();
  const json& body = done[0].json;
  CHECK(streamed == body["response"]);
  CHECK(body["usage"]["total_tokens"].get<int>() > 0);
  CHECK(body["provider"] == "offline");
  const std::string conversation = body["conversation_id"];
  const auto stored = http_request(host.port(), "GET", "/conversations/" + conversation);
  REQUIRE(stored.status == 200);
  CHECK(stored.json["message_count"] == 2);
  CHECK(stored.json["messages"][1]["content"] == body["response"]);
  CHECK(stored.json["messages"][1]["interrupted"] == false);
}

TEST_CASE("Accept: text/event-stream alone selects a streamed answer", "[http][stream]") {
  TestHost host;
  SseClient client(host.port());
  const auto result =
      client.post("/agents/fx/chat", chat("hello", false), {{"Accept", "text/event-stream"}});
  REQUIRE(result.status == 200);
  REQUIRE(events_named(result, "done").size() == 1);
  CHECK(events_named(result, "done")[0].json["response"] == "echo[2]: hello (checked)");
}

TEST_CASE("a stream field that is not a boolean is refused", "[http][stream]") {
  TestHost host;
  json body = chat("hello", false);
  body["stream"] = "yes";
  const auto result = post_json(host.port(), "/agents/fx/chat", body);
  CHECK(result.status == 422);
  CHECK(result.json["error"]["code"] == "invalid_request");
}

TEST_CASE("a provider failure in a stream is an error event with the HTTP status it maps to",
          "[http][stream]") {
  TestHost host;
  SseClient client(host.port());
  const auto result = client.post("/agents/fx/chat", chat("FAIL_TIMEOUT please"));
  REQUIRE(result.status == 200);
  REQUIRE(result.events.size() == 1);
  CHECK(result.events[0].event == "error");
  CHECK(result.events[0].json["status"] == 504);
  CHECK(result.events[0].json["error"]["code"] == "upstream_timeout");
  CHECK_FALSE(result.events[0].json["error"]["request_id"].get<std::string>().empty());
  // The host keeps serving.
  CHECK(post_json(host.port(), "/agents/fx/chat", chat("again", false)).status == 200);
}

TEST_CASE("a domain refusal streams no deltas and a done event carrying the refusal",
          "[http][stream]") {
  TestHost host;
  SseClient client(host.port());
  const auto result = client.post("/agents/fx/chat", chat("tell me FORBIDDEN things"));
  REQUIRE(result.events.size() == 1);
  CHECK(result.events[0].event == "done");
  CHECK(result.events[0].json["finish_reason"] == "refused");
  CHECK(result.events[0].json.contains("refusal"));
}

TEST_CASE("a tool call the model asks for streams as a tool_call event", "[http][stream]") {
  TestHost host;
  SseClient client(host.port());
  const auto result = client.post("/agents/fx/chat", chat("TOOL_CALL weather"));
  const auto calls = events_named(result, "tool_call");
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].json["name"] == "lookup");
  CHECK(json::parse(calls[0].json["arguments"].get<std::string>())["q"] == "TOOL_CALL weather");
  const auto done = events_named(result, "done");
  REQUIRE(done.size() == 1);
  CHECK(done[0].json["finish_reason"] == "tool_calls");
  CHECK(done[0].json["tool_calls"][0]["id"] == "call_1");
}

TEST_CASE(
    "a client that hangs up mid-stream cancels the provider, the partial answer is stored "
    "as interrupted",
    "[http][stream]") {
  TestHost host;
  const auto first = post_json(host.port(), "/agents/fx/chat", chat("hello", false));
  REQUIRE(first.status == 200);
  const std::string conversation = first.json["conversation_id"];

  json body = chat("SLOW_STREAM now");
  body["conversation_id"] = conversation;
  const auto started = std::chrono::steady_clock::now();
  SseClient client(host.port());
  const auto result = client.post("/agents/fx/chat", body, {}, [](const auto& event) {
    return !(event.event == "delta" && event.json["text"] == "tick 2 ");
  });
  CHECK(events_named(result, "delta").size() == 3);

  // The slow provider would run for 10 s; cancelled, the turn ends and is stored at once.
  json stored;
  for (int i = 0; i < 100; ++i) {
    stored = http_request(host.port(), "GET", "/conversations/" + conversation).json;
    if (stored["message_count"] == 4) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(stored["message_count"] == 4);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  const json& answer = stored["messages"][3];
  CHECK(answer["role"] == "assistant");
  CHECK(answer["interrupted"] == true);
  const std::string content = answer["content"];
  CHECK(content.rfind("tick 0 tick 1 tick 2 ", 0) == 0);
  CHECK(content.find("tick 400") == std::string::npos);
  CHECK(stored["messages"][2]["content"] == "SLOW_STREAM now");
}

TEST_CASE("a retryable provider failure falls back to the next provider of the chain",
          "[http][fallback]") {
  TestHost host({}, {chain_agent("fx_fallback", "unavailable")});
  const auto result = post_json(host.port(), "/agents/fx_fallback/chat", chat("hello", false));
  REQUIRE(result.status == 200);
  CHECK(result.json["response"] == "backup[2]: hello (checked)");

  SseClient client(host.port());
  const auto streamed = client.post("/agents/fx_fallback/chat", chat("hello again"));
  REQUIRE(events_named(streamed, "done").size() == 1);
  CHECK(events_named(streamed, "done")[0].json["response"] == "backup[2]: hello again (checked)");
  CHECK(events_named(streamed, "error").empty());
}

TEST_CASE("a non-retryable provider failure does not fall back", "[http][fallback]") {
  TestHost host({}, {chain_agent("fx_strict", "upstream")});
  const auto result = post_json(host.port(), "/agents/fx_strict/chat", chat("hello", false));
  CHECK(result.status == 502);
  CHECK(result.json["error"]["code"] == "upstream_error");
  const std::string message = result.json["error"]["message"];
  CHECK(message.find("primary rejected") != std::string::npos);
}

TEST_CASE("when every provider of the chain fails, the error names each failure",
          "[http][fallback]") {
  json agent = chain_agent("fx_down", "unavailable");
  agent["fallback_providers"][0]["config"]["fail"] = "unavailable";
  TestHost host({}, {agent});
  const auto result = post_json(host.port(), "/agents/fx_down/chat", chat("hello", false));
  CHECK(result.status == 502);
  CHECK(result.json["error"]["code"] == "upstream_unavailable");
  const std::string message = result.json["error"]["message"];
  CHECK(message.find("primary is down") != std::string::npos);
  CHECK(message.find("backup is down") != std::string::npos);
}

TEST_CASE("GET /agents/{id} shows the fallback providers", "[http][fallback]") {
  TestHost host({}, {chain_agent("fx_fallback", "unavailable")});
  const auto result = http_request(host.port(), "GET", "/agents/fx_fallback");
  REQUIRE(result.status == 200);
  REQUIRE(result.json["fallback_providers"].size() == 1);
  CHECK(result.json["fallback_providers"][0]["id"] == "echo");
}

TEST_CASE("a client that gives up on a non-streamed chat cancels the provider too",
          "[http][stream]") {
  TestHost host;
  const auto first = post_json(host.port(), "/agents/fx/chat", chat("hello", false));
  REQUIRE(first.status == 200);
  const std::string conversation = first.json["conversation_id"];
  json body = chat("SLOW_STREAM please", false);
  body["conversation_id"] = conversation;
  const std::string text = body.dump();
  const auto started = std::chrono::steady_clock::now();
  {
    Poco::Net::StreamSocket socket(
        Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(host.port())));
    const std::string request =
        "POST /agents/fx/chat HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: application/json\r\nContent-Length: " +
        std::to_string(text.size()) + "\r\n\r\n" + text;
    socket.sendBytes(request.data(), static_cast<int>(request.size()));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }  // closed: the client gave up
  json stored;
  for (int i = 0; i < 100; ++i) {
    stored = http_request(host.port(), "GET", "/conversations/" + conversation).json;
    if (stored["message_count"] == 4) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(stored["message_count"] == 4);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  CHECK(stored["messages"][3]["interrupted"] == true);
}
