// The anthropic provider end to end: the host's HTTP API, the real plugin, the host's HTTP
// client and the fake Anthropic upstream: answers streamed or not, tool_use, 529 and in-stream
// errors, faults and timeouts. Each fault ends in a correct answer or a clear 502/504.
#include <catch2/catch.hpp>

#include "providers/upstream_harness.hpp"

using namespace upstream_test;

namespace {

constexpr const char* kAgent = "claude";

// One fake and one host serving agent "claude": anthropic at the fake, `extra` merged into its
// config.
struct Setup {
  explicit Setup(const json& extra = json::object())
      : host(with_secrets(fake.api_key()),
             {upstream_agent(kAgent, anthropic_provider(fake, extra))}) {}

  void check_still_serving() const {
    const auto after = chat(host, kAgent, "still there?");
    INFO(after.result.body);
    CHECK(after.result.status == 200);
    CHECK(after.result.json["response"] == "Echo: still there? (checked)");
  }

  FakeUpstream fake;
  TestHost host;
};

}  // namespace

TEST_CASE("anthropic e2e: a streamed answer's deltas add up to the answer, usage from the fake",
          "[providers][anthropic][e2e]") {
  Setup setup;
  const auto result = stream_chat(setup.host, kAgent, "bonjour tout le monde");
  REQUIRE(result.status == 200);
  const auto done = agent_test::events_named(result, "done");
  REQUIRE(done.size() == 1);
  CHECK(agent_test::events_named(result, "delta").size() == 6);
  CHECK(streamed_text(result) == "Echo: bonjour tout le monde (checked)");
  CHECK(done[0].json["response"] == streamed_text(result));
  CHECK(done[0].json["provider"] == "anthropic");
  CHECK(done[0].json["model"] == "claude-test");
  CHECK(done[0].json["finish_reason"] == "stop");

  const json sent = setup.fake.requests(1)[0];
  CHECK(sent["path"] == "/v1/messages");
  CHECK(sent["headers"]["x-api-key"] == setup.fake.api_key());
  CHECK(sent["headers"]["anthropic-version"] == "2023-06-01");
  CHECK_FALSE(sent["headers"].contains("authorization"));
  CHECK(sent["body"]["stream"] == true);
  CHECK(sent["body"]["max_tokens"] == 1024);
  CHECK(sent["body"]["system"].is_string());  // the personality's and domain's prompt
  const int prompt = expected_prompt_tokens(sent["body"]);
  CHECK(done[0].json["usage"] ==
        json{{"prompt_tokens", prompt}, {"completion_tokens", 5}, {"total_tokens", prompt + 5}});
}

TEST_CASE("anthropic e2e: not streamed from the upstream (stream: false), the same answer",
          "[providers][anthropic][e2e]") {
  Setup setup(json{{"stream", false}});
  const auto turn = chat(setup.host, kAgent, "one body please");
  INFO(turn.result.body);
  REQUIRE(turn.result.status == 200);
  CHECK(turn.result.json["response"] == "Echo: one body please (checked)");
  const json sent = setup.fake.requests(1)[0]["body"];
  CHECK_FALSE(sent.value("stream", false));
  CHECK(turn.result.json["usage"]["prompt_tokens"] == expected_prompt_tokens(sent));
  CHECK(turn.result.json["usage"]["completion_tokens"] == 4);
  const auto streamed = stream_chat(setup.host, kAgent, "one body again");
  CHECK(streamed_text(streamed) == "Echo: one body again (checked)");
}

TEST_CASE("anthropic e2e: events split across packets keep UTF-8 intact",
          "[providers][anthropic][e2e]") {
  Setup setup;
  const auto streamed = stream_chat(setup.host, kAgent, "[[split]][[seed:7]] crème brûlée");
  REQUIRE(agent_test::events_named(streamed, "done").size() == 1);
  CHECK(streamed_text(streamed) == "Echo: crème brûlée café € (checked)");
}

TEST_CASE("anthropic e2e: 529 overloaded is retried, then the answer arrives",
          "[providers][anthropic][e2e][retry]") {
  Setup setup;
  const auto turn = chat(setup.host, kAgent, "[[status:529]][[times:1]] busy?");
  INFO(turn.result.body);
  REQUIRE(turn.result.status == 200);
  CHECK(turn.result.json["response"] == "Echo: busy? (checked)");
  CHECK(upstream_requests(setup.fake) == 2);

  setup.fake.reset();
  const auto forever = chat(setup.host, kAgent, "[[status:529]] always busy");
  check_error(forever.result, 502, "upstream_unavailable");
  CHECK_THAT(error_message(forever.result), Catch::Contains("529"));
  CHECK(upstream_requests(setup.fake) == 3);
  setup.check_still_serving();
}

TEST_CASE("anthropic e2e: 429 with Retry-After waits as asked, then succeeds",
          "[providers][anthropic][e2e][retry]") {
  Setup setup(json{{"retry", fast_retry(3, 2000)}});
  const auto turn = chat(setup.host, kAgent, "[[status:429]][[times:1]][[retry_after:1]] wait");
  INFO(turn.result.body);
  REQUIRE(turn.result.status == 200);
  CHECK(turn.elapsed >= milliseconds(900));
  CHECK(turn.elapsed < milliseconds(8000));
  CHECK(upstream_requests(setup.fake) == 2);
}

TEST_CASE("anthropic e2e: an error event inside the stream ends the turn with 502",
          "[providers][anthropic][e2e]") {
  Setup setup;
  const auto streamed =
      stream_chat(setup.host, kAgent, "[[stream_error:overloaded_error]] one two three");
  // Two words arrived before the error: the answer was under way, so no retry.
  CHECK(streamed_text(streamed) == "Echo: one");
  check_stream_error(streamed, 502, "upstream_unavailable");
  CHECK_THAT(streamed.events.back().json["error"]["message"].get<std::string>(),
             Catch::Contains("not retried"));
  CHECK(upstream_requests(setup.fake) == 1);

  setup.fake.reset();
  const auto turn = chat(setup.host, kAgent, "[[stream_error:overloaded_error]] four five");
  check_error(turn.result, 502, "upstream_unavailable");
  CHECK(upstream_requests(setup.fake) == 1);
  setup.check_still_serving();
}

TEST_CASE("anthropic e2e: tool_use blocks come back as OpenAI tool calls on /v1",
          "[providers][anthropic][e2e][tools]") {
  for (const bool upstream_stream : {true, false}) {
    DYNAMIC_SECTION("upstream streamed: " << upstream_stream) {
      Setup setup(json{{"stream", upstream_stream}});
      json body =
          completion_body(kAgent, R"([[reply:Let me look.]][[tool:get_weather:{"city":"Zürich"}]])"
                                  R"([[tool:get_time:{"tz":"CET","hour":true}]] weather?)");
      body["tools"] = declared_tools();
      const auto result = agent_test::post_json(setup.host.port(), "/v1/chat/completions", body);
      INFO(result.body);
      REQUIRE(result.status == 200);
      const json& choice = result.json["choices"][0];
      CHECK(choice["finish_reason"] == "tool_calls");
      CHECK(choice["message"]["content"] == "Let me look. (checked)");
      const json& calls = choice["message"]["tool_calls"];
      REQUIRE(calls.size() == 2);
      CHECK(calls[0]["id"].get<std::string>().rfind("toolu_", 0) == 0);
      CHECK(calls[0]["function"]["name"] == "get_weather");
      CHECK(json::parse(calls[0]["function"]["arguments"].get<std::string>()) ==
            json{{"city", "Zürich"}});
      CHECK(calls[1]["function"]["name"] == "get_time");
      CHECK(json::parse(calls[1]["function"]["arguments"].get<std::string>()) ==
            json{{"tz", "CET"}, {"hour", true}});
      // The tools went up in Anthropic's shape.
      const json sent = setup.fake.requests(1)[0]["body"];
      REQUIRE(sent["tools"].size() == 2);
      CHECK(sent["tools"][0]["name"] == "get_weather");
      CHECK(sent["tools"][0].contains("input_schema"));

      // The result of a call goes back as a tool_result, and the model answers with text.
      body["messages"].push_back(choice["message"]);
      body["messages"].push_back(
          {{"role", "tool"}, {"tool_call_id", calls[0]["id"]}, {"content", "sunny, 21 C"}});
      body["messages"].push_back(
          {{"role", "tool"}, {"tool_call_id", calls[1]["id"]}, {"content", "14:00"}});
      const auto second = agent_test::post_json(setup.host.port(), "/v1/chat/completions", body);
      INFO(second.body);
      REQUIRE(second.status == 200);
      CHECK(second.json["choices"][0]["message"]["content"] == "Tool said: 14:00 (checked)");
      const json results = setup.fake.requests(1)[0]["body"]["messages"].back();
      CHECK(results["role"] == "user");
      REQUIRE(results["content"].size() == 2);
      CHECK(results["content"][0]["type"] == "tool_result");
      CHECK(results["content"][0]["tool_use_id"] == calls[0]["id"]);
    }
  }
}

TEST_CASE("anthropic e2e: a stall, a slow first byte, a cut and malformed data end in 502/504",
          "[providers][anthropic][e2e][timeout]") {
  Setup setup(
      json{{"idle_timeout_ms", 500}, {"first_byte_timeout_ms", 500}, {"retry", fast_retry(2)}});
  const auto stalled = chat(setup.host, kAgent, "[[stall]] stuck");
  check_error(stalled.result, 504, "upstream_timeout");
  CHECK(upstream_requests(setup.fake) == 1);

  setup.fake.reset();
  const auto slow = chat(setup.host, kAgent, "[[delay:10000]] slow");
  check_error(slow.result, 504, "upstream_timeout");
  CHECK(slow.elapsed < milliseconds(6000));
  CHECK(upstream_requests(setup.fake) == 2);

  setup.fake.reset();
  const auto cut = stream_chat(setup.host, kAgent, "[[cut]] a b c d e");
  check_stream_error(cut, 502, "upstream_unavailable");

  setup.fake.reset();
  const auto garbled = chat(setup.host, kAgent, "[[malformed]] x y z");
  check_error(garbled.result, 502, "upstream_error");
  CHECK(upstream_requests(setup.fake) == 1);
  setup.check_still_serving();
}

TEST_CASE("anthropic e2e: a rejected key is 502 without the key, and not retried",
          "[providers][anthropic][e2e]") {
  const std::string wrong = "sk-ant-wrong-NEVER-SHOWN-5555";
  FakeUpstream fake;
  TestHost host(
      with_secrets(fake.api_key(), {{"wrong_key", wrong}}),
      {upstream_agent(kAgent, anthropic_provider(fake, {{"api_key_secret", "wrong_key"}}))});
  const auto turn = chat(host, kAgent, "let me in");
  check_error(turn.result, 502, "upstream_error");
  CHECK_THAT(error_message(turn.result), Catch::Contains("rejected the API key"));
  CHECK(turn.result.body.find(wrong) == std::string::npos);
  CHECK(upstream_requests(fake) == 1);
}

TEST_CASE("anthropic e2e: a client hanging up mid-stream aborts the upstream request",
          "[providers][anthropic][e2e][disconnect]") {
  Setup setup;
  // 20 words spread over 5 s; the client leaves after the first.
  SECTION("on /agents/{id}/chat") {
    agent_test::SseClient client(setup.host.port());
    const auto result =
        client.post("/agents/claude/chat", chat_body("[[words:20]][[answer_ms:5000]] go", true), {},
                    [](const auto& event) { return event.event != "delta"; });
    REQUIRE(agent_test::events_named(result, "delta").size() == 1);
  }
  SECTION("on /v1/chat/completions") {
    json body = completion_body(kAgent, "[[words:20]][[answer_ms:5000]] go");
    body["stream"] = true;
    agent_test::SseClient client(setup.host.port());
    const auto result = client.post("/v1/chat/completions", body, {}, [](const auto& event) {
      // The first chunk carries the role; stop at the first word.
      return event.data.find("lorem") == std::string::npos;
    });
    REQUIRE_FALSE(result.events.empty());
    CHECK(result.events.back().data.find("lorem") != std::string::npos);
  }
  const auto hung_up = Clock::now();
  const bool aborted = eventually(
      [&] {
        const json stats = setup.fake.stats();
        return stats["client_aborts"] == 1 && stats["in_flight"] == 0;
      },
      milliseconds(5000));
  INFO(setup.fake.stats().dump());
  REQUIRE(aborted);
  CHECK(Clock::now() - hung_up < milliseconds(3000));
  CHECK(upstream_requests(setup.fake) == 1);
  setup.check_still_serving();
}
