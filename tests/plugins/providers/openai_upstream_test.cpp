// The openai provider end to end: the host's HTTP API, the real plugin, the host's HTTP client
// and the fake OpenAI upstream, for answers, tool calls, every fault the fake can produce,
// fallback, TLS and clients that hang up. Each fault ends in a correct answer or a clear 502/504,
// never a hang, and the host keeps serving.
#include <Poco/Buffer.h>
#include <Poco/Net/WebSocket.h>

#include <catch2/catch.hpp>

#include "providers/upstream_harness.hpp"

using namespace upstream_test;

namespace {

constexpr const char* kAgent = "oa";

// One fake and one host serving agent "oa": openai at the fake, `extra` merged into its config.
struct Setup {
  explicit Setup(const json& extra = json::object(),
                 const std::function<void(agent_host::app::HostConfig&)>& tune = {},
                 FakeUpstream::Options options = {})
      : fake(std::move(options)),
        host(with_secrets(fake.api_key(), {}, tune),
             {upstream_agent(kAgent, openai_provider(fake, extra))}) {}

  // A normal turn still works (after whatever the test did to the upstream).
  void check_still_serving(const std::string& agent = kAgent) const {
    const auto after = chat(host, agent, "still there?");
    INFO(after.result.body);
    CHECK(after.result.status == 200);
    CHECK(after.result.json["response"] == "Echo: still there? (checked)");
  }

  FakeUpstream fake;
  TestHost host;
};

}  // namespace

TEST_CASE("openai e2e: a plain answer, not streamed to the client, with the fake's usage",
          "[providers][openai][e2e]") {
  Setup setup;
  const auto turn = chat(setup.host, kAgent, "hello there");
  INFO(turn.result.body);
  REQUIRE(turn.result.status == 200);
  const json& body = turn.result.json;
  CHECK(body["response"] == "Echo: hello there (checked)");
  CHECK(body["provider"] == "openai");
  CHECK(body["model"] == "gpt-test");
  CHECK(body["finish_reason"] == "stop");
  // The plugin streamed from the upstream with usage requested, and sent the key.
  const json sent = setup.fake.requests(1)[0];
  CHECK(sent["path"] == "/v1/chat/completions");
  CHECK(sent["headers"]["authorization"] == "Bearer " + setup.fake.api_key());
  CHECK(sent["body"]["stream"] == true);
  CHECK(sent["body"]["stream_options"]["include_usage"] == true);
  CHECK(sent["body"]["model"] == "gpt-test");
  // Usage numbers are the fake's: prompt = input characters / 4, completion = 3 words.
  const int prompt = expected_prompt_tokens(sent["body"]);
  CHECK(body["usage"] ==
        json{{"prompt_tokens", prompt}, {"completion_tokens", 3}, {"total_tokens", prompt + 3}});
  // Stored with the provider that answered.
  const auto stored = agent_test::http_request(
      setup.host.port(), "GET", "/conversations/" + body["conversation_id"].get<std::string>());
  CHECK(stored.json["messages"][1]["provider"] == "openai");
  CHECK(stored.json["messages"][1]["model"] == "gpt-test");
  CHECK(stored.json["messages"][1]["tokens_used"] == 3);
}

TEST_CASE("openai e2e: a streamed answer's deltas add up to the answer, usage from the fake",
          "[providers][openai][e2e]") {
  Setup setup;
  const auto result = stream_chat(setup.host, kAgent, "one two three four");
  REQUIRE(result.status == 200);
  const auto deltas = agent_test::events_named(result, "delta");
  const auto done = agent_test::events_named(result, "done");
  REQUIRE(done.size() == 1);
  // One delta per upstream word, then the domain's appended " (checked)".
  CHECK(deltas.size() == 6);
  CHECK(streamed_text(result) == "Echo: one two three four (checked)");
  CHECK(done[0].json["response"] == streamed_text(result));
  CHECK(done[0].json["provider"] == "openai");
  const int prompt = expected_prompt_tokens(setup.fake.requests(1)[0]["body"]);
  CHECK(done[0].json["usage"]["prompt_tokens"] == prompt);
  CHECK(done[0].json["usage"]["completion_tokens"] == 5);
}

TEST_CASE("openai e2e: with stream: false the plugin asks for one JSON body and answers the same",
          "[providers][openai][e2e]") {
  Setup setup(json{{"stream", false}});
  const auto turn = chat(setup.host, kAgent, "not streamed");
  REQUIRE(turn.result.status == 200);
  CHECK(turn.result.json["response"] == "Echo: not streamed (checked)");
  const json sent = setup.fake.requests(1)[0];
  CHECK_FALSE(sent["body"].value("stream", false));
  const int prompt = expected_prompt_tokens(sent["body"]);
  CHECK(turn.result.json["usage"]["prompt_tokens"] == prompt);
  CHECK(turn.result.json["usage"]["completion_tokens"] == 3);
  // A streaming client still gets the text as deltas.
  const auto streamed = stream_chat(setup.host, kAgent, "still not streamed");
  REQUIRE(agent_test::events_named(streamed, "done").size() == 1);
  CHECK(streamed_text(streamed) == "Echo: still not streamed (checked)");
}

TEST_CASE("openai e2e: SSE split across arbitrary packet boundaries keeps UTF-8 intact",
          "[providers][openai][e2e]") {
  Setup setup;
  for (int seed : {1, 2}) {
    const std::string message =
        "[[split]][[seed:" + std::to_string(seed) + "]] héllo wörld " + std::to_string(seed);
    const std::string want = "Echo: héllo wörld " + std::to_string(seed) + " café € (checked)";
    const auto streamed = stream_chat(setup.host, kAgent, message);
    REQUIRE(agent_test::events_named(streamed, "done").size() == 1);
    CHECK(streamed_text(streamed) == want);
    CHECK(agent_test::events_named(streamed, "done")[0].json["response"] == want);
  }
  // A non-streamed body split the same way.
  Setup plain(json{{"stream", false}});
  const auto turn = chat(plain.host, kAgent, "[[split]] naïve façade");
  REQUIRE(turn.result.status == 200);
  CHECK(turn.result.json["response"] == "Echo: naïve façade café € (checked)");
}

TEST_CASE("openai e2e: /v1 tool calls are assembled from streamed fragments, parallel calls too",
          "[providers][openai][e2e][tools]") {
  const std::string message =
      R"([[tool:get_weather:{"city":"Paris","units":"metric","note":"ünïcode ✓"}]])"
      R"([[tool:get_time:{"tz":"Europe/Paris"}]] what now?)";
  const auto check_calls = [](const json& calls) {
    REQUIRE(calls.size() == 2);
    CHECK(calls[0]["type"] == "function");
    CHECK(calls[0]["function"]["name"] == "get_weather");
    CHECK(json::parse(calls[0]["function"]["arguments"].get<std::string>()) ==
          json{{"city", "Paris"}, {"units", "metric"}, {"note", "ünïcode ✓"}});
    CHECK(calls[1]["function"]["name"] == "get_time");
    CHECK(json::parse(calls[1]["function"]["arguments"].get<std::string>()) ==
          json{{"tz", "Europe/Paris"}});
    CHECK(calls[0]["id"].get<std::string>().rfind("call_", 0) == 0);
    CHECK(calls[1]["id"].get<std::string>().rfind("call_", 0) == 0);
    CHECK(calls[0]["id"] != calls[1]["id"]);
  };

  for (const bool index0 : {false, true}) {
    for (const bool upstream_stream : {true, false}) {
      DYNAMIC_SECTION("index 0 reused: " << index0 << ", upstream streamed: " << upstream_stream) {
        Setup setup(json{{"stream", upstream_stream}});
        json body = completion_body(kAgent, (index0 ? "[[tool_index0]]" : "") + message);
        body["tools"] = declared_tools();
        const auto result = agent_test::post_json(setup.host.port(), "/v1/chat/completions", body);
        INFO(result.body);
        REQUIRE(result.status == 200);
        const json& choice = result.json["choices"][0];
        CHECK(choice["finish_reason"] == "tool_calls");
        CHECK(choice["message"]["content"].is_null());
        check_calls(choice["message"]["tool_calls"]);
        // The tools reached the upstream in OpenAI's shape.
        const json sent = setup.fake.requests(1)[0]["body"];
        REQUIRE(sent["tools"].size() == 2);
        CHECK(sent["tools"][0]["function"]["name"] == "get_weather");

        // Streamed to the client: each call arrives whole, with its own index.
        body["stream"] = true;
        agent_test::SseClient client(setup.host.port());
        const auto streamed = client.post("/v1/chat/completions", body);
        REQUIRE(streamed.status == 200);
        json calls = json::array();
        std::string finish;
        for (const auto& event : streamed.events) {
          if (!event.json.is_object() || event.json["choices"].empty()) continue;
          const json& chunk_choice = event.json["choices"][0];
          if (chunk_choice["delta"].contains("tool_calls")) {
            for (const auto& call : chunk_choice["delta"]["tool_calls"]) {
              CHECK(call["index"] == calls.size());
              calls.push_back(call);
            }
          }
          if (!chunk_choice["finish_reason"].is_null()) finish = chunk_choice["finish_reason"];
        }
        check_calls(calls);
        CHECK(finish == "tool_calls");
        CHECK(streamed.events.back().data == "[DONE]");
      }
    }
  }
}

TEST_CASE("openai e2e: a tool loop on /v1 sends the tool result back and gets the final text",
          "[providers][openai][e2e][tools]") {
  Setup setup;
  json body = completion_body(kAgent, R"([[tool:get_time:{"tz":"UTC"}]] time?)");
  body["tools"] = declared_tools();
  const auto first = agent_test::post_json(setup.host.port(), "/v1/chat/completions", body);
  REQUIRE(first.status == 200);
  const json call = first.json["choices"][0]["message"]["tool_calls"][0];
  body["messages"].push_back(first.json["choices"][0]["message"]);
  body["messages"].push_back(
      {{"role", "tool"}, {"tool_call_id", call["id"]}, {"content", "12:00 UTC"}});
  const auto second = agent_test::post_json(setup.host.port(), "/v1/chat/completions", body);
  INFO(second.body);
  REQUIRE(second.status == 200);
  CHECK(second.json["choices"][0]["message"]["content"] == "Tool said: 12:00 UTC (checked)");
  // The upstream saw the assistant's call and the tool result, in order.
  const json sent = setup.fake.requests(1)[0]["body"]["messages"];
  REQUIRE(sent.size() >= 3);
  CHECK(sent[sent.size() - 2]["tool_calls"][0]["id"] == call["id"]);
  CHECK(sent.back()["role"] == "tool");
  CHECK(sent.back()["tool_call_id"] == call["id"]);
}

TEST_CASE("openai e2e: /v1 streamed with include_usage ends with the fake's usage chunk",
          "[providers][openai][e2e]") {
  Setup setup;
  json body = completion_body(kAgent, "count my tokens please");
  body["stream"] = true;
  body["stream_options"] = {{"include_usage", true}};
  agent_test::SseClient client(setup.host.port());
  const auto result = client.post("/v1/chat/completions", body);
  REQUIRE(result.status == 200);
  REQUIRE(result.events.size() >= 3);
  CHECK(result.events.back().data == "[DONE]");
  const json& usage_chunk = result.events[result.events.size() - 2].json;
  REQUIRE(usage_chunk["choices"].empty());
  const int prompt = expected_prompt_tokens(setup.fake.requests(1)[0]["body"]);
  CHECK(usage_chunk["usage"] ==
        json{{"prompt_tokens", prompt}, {"completion_tokens", 5}, {"total_tokens", prompt + 5}});
  std::string text;
  for (const auto& event : result.events) {
    if (event.json.is_object() && !event.json["choices"].empty()) {
      text += event.json["choices"][0]["delta"].value("content", "");
    }
  }
  CHECK(text == "Echo: count my tokens please (checked)");
}

TEST_CASE("openai e2e: 429 with Retry-After is retried after the wait the upstream asked for",
          "[providers][openai][e2e][retry]") {
  // max_backoff above the Retry-After, so the plugin waits the whole second.
  Setup setup(json{{"retry", fast_retry(3, 2000)}});
  const auto turn = chat(setup.host, kAgent, "[[status:429]][[times:1]][[retry_after:1]] patience");
  INFO(turn.result.body);
  REQUIRE(turn.result.status == 200);
  CHECK(turn.result.json["response"] == "Echo: patience (checked)");
  CHECK(turn.elapsed >= milliseconds(900));
  CHECK(turn.elapsed < milliseconds(8000));
  CHECK(upstream_requests(setup.fake) == 2);
  setup.check_still_serving();
}

TEST_CASE("openai e2e: 500 and 503 are retried, then the answer arrives",
          "[providers][openai][e2e][retry]") {
  Setup setup;
  const auto once = chat(setup.host, kAgent, "[[status:500]][[times:1]] first");
  REQUIRE(once.result.status == 200);
  CHECK(once.result.json["response"] == "Echo: first (checked)");
  CHECK(upstream_requests(setup.fake) == 2);

  setup.fake.reset();
  const auto twice =
      stream_chat(setup.host, kAgent, "[[status:503]][[times:2]][[retry_after:0]] second");
  REQUIRE(agent_test::events_named(twice, "done").size() == 1);
  CHECK(agent_test::events_named(twice, "error").empty());
  CHECK(streamed_text(twice) == "Echo: second (checked)");
  CHECK(upstream_requests(setup.fake) == 3);
}

TEST_CASE("openai e2e: 500 forever is 502 upstream_unavailable after max_attempts requests",
          "[providers][openai][e2e][retry]") {
  Setup setup;
  const auto turn = chat(setup.host, kAgent, "[[status:500]] doomed");
  check_error(turn.result, 502, "upstream_unavailable");
  CHECK_THAT(error_message(turn.result), Catch::Contains("HTTP 500"));
  CHECK(upstream_requests(setup.fake) == 3);
  CHECK(turn.elapsed < milliseconds(8000));

  // Streamed: nothing was output yet, so the client gets an error event with status 502.
  setup.fake.reset();
  const auto streamed = stream_chat(setup.host, kAgent, "[[status:500]] doomed again");
  check_stream_error(streamed, 502, "upstream_unavailable");
  CHECK(upstream_requests(setup.fake) == 3);
  setup.check_still_serving();
}

TEST_CASE("openai e2e: a rejected key is 502, not retried, and the message never holds the key",
          "[providers][openai][e2e]") {
  const std::string wrong = "sk-wrong-key-NEVER-SHOWN-9876";
  FakeUpstream fake;
  const json wrong_agent =
      upstream_agent("oa_wrong", openai_provider(fake, {{"api_key_secret", "wrong_key"}}));
  TestHost host(with_secrets(fake.api_key(), {{"wrong_key", wrong}}),
                {wrong_agent, upstream_agent(kAgent, openai_provider(fake))});
  const auto turn = chat(host, "oa_wrong", "let me in");
  check_error(turn.result, 502, "upstream_error");
  const std::string message = error_message(turn.result);
  CHECK_THAT(message, Catch::Contains("rejected the API key"));
  CHECK(turn.result.body.find(wrong) == std::string::npos);
  CHECK(turn.result.body.find(fake.api_key()) == std::string::npos);
  CHECK(upstream_requests(fake) == 1);
  CHECK(fake.requests(1)[0]["headers"]["authorization"] == "Bearer " + wrong);
  // The other agent, with the right key, is unaffected.
  const auto good = chat(host, kAgent, "right key");
  CHECK(good.result.status == 200);
}

TEST_CASE("openai e2e: a first byte slower than first_byte_timeout_ms is 504 after the retries",
          "[providers][openai][e2e][timeout]") {
  Setup setup(json{{"first_byte_timeout_ms", 500}, {"retry", fast_retry(2)}});
  const auto turn = chat(setup.host, kAgent, "[[delay:10000]] slow start");
  check_error(turn.result, 504, "upstream_timeout");
  CHECK(turn.elapsed >= milliseconds(1000));  // two attempts, each given its 500 ms
  CHECK(turn.elapsed < milliseconds(6000));   // and not the 10 s the upstream would take
  CHECK(upstream_requests(setup.fake) == 2);
  // The host hung up on both slow requests instead of leaving them open.
  CHECK(eventually([&] { return setup.fake.stats()["in_flight"] == 0; }, milliseconds(3000)));
  setup.check_still_serving();
}

TEST_CASE("openai e2e: a stream that stalls past idle_timeout_ms is 504 and not retried",
          "[providers][openai][e2e][timeout]") {
  Setup setup(json{{"idle_timeout_ms", 500}});
  const auto turn = chat(setup.host, kAgent, "[[stall]] stuck in the middle");
  check_error(turn.result, 504, "upstream_timeout");
  CHECK_THAT(error_message(turn.result), Catch::Contains("not retried"));
  CHECK(turn.elapsed < milliseconds(5000));
  CHECK(upstream_requests(setup.fake) == 1);

  // A streaming client sees the first word, then the error event.
  setup.fake.reset();
  const auto streamed = stream_chat(setup.host, kAgent, "[[stall]] stuck again");
  CHECK(streamed_text(streamed) == "Echo:");
  check_stream_error(streamed, 504, "upstream_timeout");
  CHECK(upstream_requests(setup.fake) == 1);
  CHECK(eventually([&] { return setup.fake.stats()["in_flight"] == 0; }, milliseconds(3000)));
  setup.check_still_serving();
}

TEST_CASE("openai e2e: a non-streamed body that stalls is retried, then 504",
          "[providers][openai][e2e][timeout]") {
  // Nothing reached the client (the body is parsed whole), so a stall may be retried.
  Setup setup(json{{"stream", false}, {"idle_timeout_ms", 500}, {"retry", fast_retry(2)}});
  const auto turn = chat(setup.host, kAgent, "[[stall]] half a body, then nothing");
  check_error(turn.result, 504, "upstream_timeout");
  CHECK(upstream_requests(setup.fake) == 2);
  CHECK(turn.elapsed >= milliseconds(1000));
  CHECK(turn.elapsed < milliseconds(6000));
  setup.fake.reset();
  const auto recovered = chat(setup.host, kAgent, "[[stall]][[times:1]] stalls once");
  CHECK(recovered.result.status == 200);
  CHECK(upstream_requests(setup.fake) == 2);
  setup.check_still_serving();
}

TEST_CASE("openai e2e: a connection cut mid-stream is 502", "[providers][openai][e2e]") {
  Setup setup;
  const auto turn = chat(setup.host, kAgent, "[[cut]] a b c d e f");
  check_error(turn.result, 502, "upstream_unavailable");
  CHECK_THAT(error_message(turn.result), Catch::Contains("closed the connection"));
  CHECK(upstream_requests(setup.fake) == 1);  // part of the answer was out: no retry

  setup.fake.reset();
  const auto streamed = stream_chat(setup.host, kAgent, "[[cut]] g h i j k l");
  CHECK_FALSE(streamed_text(streamed).empty());
  check_stream_error(streamed, 502, "upstream_unavailable");
  setup.check_still_serving();
}

TEST_CASE("openai e2e: a cut non-streamed body is retried, and 502 when it keeps happening",
          "[providers][openai][e2e]") {
  Setup setup(json{{"stream", false}});
  const auto recovered = chat(setup.host, kAgent, "[[cut]][[times:1]] half a body");
  REQUIRE(recovered.result.status == 200);
  CHECK(recovered.result.json["response"] == "Echo: half a body (checked)");
  CHECK(upstream_requests(setup.fake) == 2);

  setup.fake.reset();
  const auto turn = chat(setup.host, kAgent, "[[cut]] always half");
  check_error(turn.result, 502, "upstream_unavailable");
  CHECK(upstream_requests(setup.fake) == 3);
  setup.check_still_serving();
}

TEST_CASE("openai e2e: malformed JSON from the upstream is 502, streamed or not",
          "[providers][openai][e2e]") {
  SECTION("streamed: after the first delta, so not retried") {
    Setup setup;
    const auto turn = chat(setup.host, kAgent, "[[malformed]] garbled words here");
    check_error(turn.result, 502, "upstream_error");
    CHECK(upstream_requests(setup.fake) == 1);
    setup.check_still_serving();
  }
  SECTION("not streamed: retried, then 502") {
    Setup setup(json{{"stream", false}});
    const auto turn = chat(setup.host, kAgent, "[[malformed]] garbled body");
    check_error(turn.result, 502, "upstream_error");
    CHECK_THAT(error_message(turn.result), Catch::Contains("not a JSON object"));
    CHECK(upstream_requests(setup.fake) == 3);
    setup.fake.reset();
    const auto recovered = chat(setup.host, kAgent, "[[malformed]][[times:1]] garbled once");
    CHECK(recovered.result.status == 200);
    CHECK(upstream_requests(setup.fake) == 2);
    setup.check_still_serving();
  }
}

TEST_CASE("openai e2e: an error event inside the stream is 502 after the deltas",
          "[providers][openai][e2e]") {
  Setup setup;
  const auto streamed = stream_chat(setup.host, kAgent, "[[stream_error]] x y z");
  check_stream_error(streamed, 502, "upstream_error");
  CHECK_THAT(streamed.events.back().json["error"]["message"].get<std::string>(),
             Catch::Contains("the upstream reported an error"));
  CHECK_FALSE(streamed_text(streamed).empty());
  CHECK(upstream_requests(setup.fake) == 1);
  setup.check_still_serving();
}

TEST_CASE("openai e2e: an upstream down for good falls back to the next provider",
          "[providers][openai][e2e][fallback]") {
  FakeUpstream fake;
  const std::vector<json> agents = {
      upstream_agent("oa_offline", openai_provider(fake), json::array({{{"id", "offline"}}})),
      upstream_agent("oa_claude", openai_provider(fake), json::array({anthropic_provider(fake)}))};
  TestHost host(with_secrets(fake.api_key()), agents);

  SECTION("to the offline provider") {
    const auto turn = chat(host, "oa_offline", "[[status:503]][[retry_after:0]] anyone home?");
    INFO(turn.result.body);
    REQUIRE(turn.result.status == 200);
    CHECK(turn.result.json["provider"] == "offline");
    CHECK(upstream_requests(fake) == 3);  // openai's attempts, then no more network
    const auto stored = agent_test::http_request(
        host.port(), "GET",
        "/conversations/" + turn.result.json["conversation_id"].get<std::string>());
    CHECK(stored.json["messages"][1]["provider"] == "offline");
  }
  SECTION("to anthropic, streamed") {
    // The fault hits the first three requests with this text: openai's three attempts.
    const auto streamed =
        stream_chat(host, "oa_claude", "[[status:503]][[times:3]][[retry_after:0]] claude?");
    const auto done = agent_test::events_named(streamed, "done");
    REQUIRE(done.size() == 1);
    CHECK(done[0].json["provider"] == "anthropic");
    CHECK(done[0].json["model"] == "claude-test");
    CHECK(streamed_text(streamed) == "Echo: claude? (checked)");
    const json by_path = fake.stats()["by_path"];
    CHECK(by_path["/v1/chat/completions"] == 3);
    CHECK(by_path["/v1/messages"] == 1);
  }
  SECTION(
      "an upstream asking for a longer pause than max_backoff is not retried: the fallback "
      "answers at once") {
    // The fake's 503 carries Retry-After: 1 (s); the agent's max_backoff_ms is 200.
    const auto turn = chat(host, "oa_offline", "[[status:503]] come back later");
    INFO(turn.result.body);
    REQUIRE(turn.result.status == 200);
    CHECK(turn.result.json["provider"] == "offline");
    CHECK(upstream_requests(fake) == 1);
  }
  SECTION("a failing chain names every failure") {
    const auto turn = chat(host, "oa_claude", "[[status:500]] nobody");
    check_error(turn.result, 502, "upstream_unavailable");
    CHECK_THAT(error_message(turn.result), Catch::Contains("provider 'openai' failed"));
    CHECK_THAT(error_message(turn.result), Catch::Contains("provider 'anthropic' failed"));
    CHECK(upstream_requests(fake) == 6);
  }
}

TEST_CASE("openai e2e: HTTPS works with the fake's certificate as ca_file, and fails without",
          "[providers][openai][e2e][tls]") {
  FakeUpstream::Options tls;
  tls.tls = true;
  SECTION("trusted") {
    Setup setup(
        {},
        [](agent_host::app::HostConfig& config) {
          config.http_client.ca_file = FakeUpstream::certificate_file();
        },
        tls);
    REQUIRE(setup.fake.base_url().rfind("https://", 0) == 0);
    const auto turn = chat(setup.host, kAgent, "over tls");
    INFO(turn.result.body);
    REQUIRE(turn.result.status == 200);
    CHECK(turn.result.json["response"] == "Echo: over tls (checked)");
    const auto streamed = stream_chat(setup.host, kAgent, "streamed over tls");
    CHECK(streamed_text(streamed) == "Echo: streamed over tls (checked)");
  }
  SECTION("not trusted") {
    Setup setup({}, {}, tls);
    const auto turn = chat(setup.host, kAgent, "over untrusted tls");
    INFO(turn.result.body);
    CHECK(turn.result.status == 502);
    CHECK_THAT(error_message(turn.result),
               Catch::Contains("certificate", Catch::CaseSensitive::No));
    CHECK(turn.elapsed < milliseconds(8000));
  }
}

TEST_CASE(
    "openai e2e: a client hanging up mid-stream aborts the upstream request, the partial "
    "answer is stored as interrupted",
    "[providers][openai][e2e][disconnect]") {
  Setup setup;
  const auto first = chat(setup.host, kAgent, "start a conversation");
  REQUIRE(first.result.status == 200);
  const std::string conversation = first.result.json["conversation_id"];
  setup.fake.reset();

  // 50 words, 200 ms apart: 10 s if nobody stopped it.
  json body = chat_body("[[words:50]][[chunk_delay:200]] go", true);
  body["conversation_id"] = conversation;
  agent_test::SseClient client(setup.host.port());
  const auto result = client.post("/agents/oa/chat", body, {}, [](const auto& event) {
    return event.event != "delta";  // hang up on the first word
  });
  const auto hung_up = Clock::now();
  REQUIRE(agent_test::events_named(result, "delta").size() == 1);

  // The host aborts its upstream request at once: the fake sees the client leave.
  const bool aborted = eventually(
      [&] {
        const json stats = setup.fake.stats();
        return stats["client_aborts"] == 1 && stats["in_flight"] == 0;
      },
      milliseconds(5000));
  const auto abort_took = Clock::now() - hung_up;
  INFO(setup.fake.stats().dump());
  REQUIRE(aborted);
  CHECK(abort_took < milliseconds(3000));

  json stored;
  eventually(
      [&] {
        stored =
            agent_test::http_request(setup.host.port(), "GET", "/conversations/" + conversation)
                .json;
        return stored["message_count"] == 4;
      },
      milliseconds(5000));
  REQUIRE(stored["message_count"] == 4);
  const json& answer = stored["messages"][3];
  CHECK(answer["interrupted"] == true);
  CHECK(answer["provider"] == "openai");
  const std::string content = answer["content"];
  CHECK(content.rfind("lorem", 0) == 0);
  CHECK(content.size() < std::string("lorem ipsum dolor sit amet").size() * 10);
  CHECK(upstream_requests(setup.fake) == 1);
  setup.check_still_serving();
}

TEST_CASE("openai e2e: a WebSocket serves turns through the provider, a failed one included",
          "[providers][openai][e2e][websocket]") {
  using Poco::Net::WebSocket;
  Setup setup;
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(setup.host.port()));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/agents/oa/ws",
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  Poco::Net::HTTPResponse response;
  WebSocket socket(session, request, response);
  socket.setReceiveTimeout(Poco::Timespan(10, 0));
  // Sends one chat message; returns its frames up to "done" or "error".
  const auto turn = [&socket](const std::string& message) {
    const std::string text = chat_body(message).dump();
    socket.sendFrame(text.data(), static_cast<int>(text.size()), WebSocket::FRAME_TEXT);
    std::vector<json> frames;
    while (frames.empty() ||
           (frames.back()["event"] != "done" && frames.back()["event"] != "error")) {
      Poco::Buffer<char> buffer(0);
      int flags = 0;
      socket.receiveFrame(buffer, flags);
      frames.push_back(json::parse(std::string(buffer.begin(), buffer.size())));
    }
    return frames;
  };
  const auto text_of = [](const std::vector<json>& frames) {
    std::string text;
    for (const auto& frame : frames) {
      if (frame["event"] == "delta") text += frame["data"]["text"].get<std::string>();
    }
    return text;
  };

  const auto first = turn("over a websocket");
  CHECK(text_of(first) == "Echo: over a websocket (checked)");
  CHECK(first.back()["data"]["provider"] == "openai");
  const auto failed = turn("[[status:500]] broken upstream");
  CHECK(failed.back()["event"] == "error");
  CHECK(failed.back()["data"]["status"] == 502);
  CHECK(failed.back()["data"]["error"]["code"] == "upstream_unavailable");
  // The same socket keeps serving.
  const auto again = turn("and again");
  CHECK(text_of(again) == "Echo: and again (checked)");
}
