// The anthropic provider: its pure logic below the plugin boundary (message conversion, the
// event state machine, answer parsing, error types), its config and its behaviour without an
// HTTP client through the host's PluginInstance, and whole calls through its C ABI against a
// scripted upstream.
#include "anthropic/anthropic_config.hpp"
#include "anthropic/anthropic_error.hpp"
#include "anthropic/anthropic_request.hpp"
#include "anthropic/anthropic_response.hpp"
#include "anthropic/anthropic_stream.hpp"
#include "bundled_plugin_support.hpp"
#include "common/upstream_error.hpp"
#include "providers/scripted_upstream.hpp"

using namespace bundled_plugins_test;
using namespace provider_test;
using providers::Completion;
using providers::DeltaEmitter;
using providers::UpstreamError;
using std::chrono::milliseconds;

namespace {

constexpr const char* kTarget = "provider_anthropic";
const std::map<std::string, std::string> kKey = {{"anthropic_api_key", "sk-ant-test-123"}};

json user(const std::string& text) { return {{"role", "user"}, {"content", text}}; }

json message_start(int input_tokens = 25, int cache_read = 0) {
  return {{"type", "message_start"},
          {"message",
           {{"id", "msg_1"},
            {"type", "message"},
            {"role", "assistant"},
            {"content", json::array()},
            {"model", "claude-sonnet-4-5-20250929"},
            {"stop_reason", nullptr},
            {"usage",
             {{"input_tokens", input_tokens},
              {"cache_creation_input_tokens", 0},
              {"cache_read_input_tokens", cache_read},
              {"output_tokens", 1}}}}}};
}
json text_start(int index) {
  return {{"type", "content_block_start"},
          {"index", index},
          {"content_block", {{"type", "text"}, {"text", ""}}}};
}
json text_delta(int index, const std::string& text) {
  return {{"type", "content_block_delta"},
          {"index", index},
          {"delta", {{"type", "text_delta"}, {"text", text}}}};
}
json tool_start(int index, const std::string& id, const std::string& name) {
  return {{"type", "content_block_start"},
          {"index", index},
          {"content_block",
           {{"type", "tool_use"}, {"id", id}, {"name", name}, {"input", json::object()}}}};
}
json json_delta(int index, const std::string& partial) {
  return {{"type", "content_block_delta"},
          {"index", index},
          {"delta", {{"type", "input_json_delta"}, {"partial_json", partial}}}};
}
json block_stop(int index) { return {{"type", "content_block_stop"}, {"index", index}}; }
json message_delta(const std::string& stop_reason, int output_tokens) {
  return {{"type", "message_delta"},
          {"delta", {{"stop_reason", stop_reason}, {"stop_sequence", nullptr}}},
          {"usage", {{"output_tokens", output_tokens}}}};
}
json message_stop() { return {{"type", "message_stop"}}; }
json error_event(const std::string& type, const std::string& message) {
  return {{"type", "error"}, {"error", {{"type", type}, {"message", message}}}};
}

// Named events, as Anthropic sends them.
ScriptedAnswer stream_of(const std::vector<json>& events, std::size_t piece = 0) {
  std::vector<std::pair<std::string, std::string>> named;
  for (const json& event : events)
    named.emplace_back(event["type"].get<std::string>(), event.dump());
  return sse(named, piece);
}

ScriptedAnswer text_answer(const std::vector<std::string>& pieces, std::size_t piece = 0) {
  std::vector<json> events = {message_start(), text_start(0), {{"type", "ping"}}};
  for (const auto& text : pieces) events.push_back(text_delta(0, text));
  events.push_back(block_stop(0));
  events.push_back(message_delta("end_turn", 15));
  events.push_back(message_stop());
  return stream_of(events, piece);
}

struct StreamRun {
  std::vector<json> deltas;
  DeltaEmitter emitter{[this](const json& delta) {
    deltas.push_back(delta);
    return true;
  }};
  providers::anthropic::EventStream stream{emitter};

  void feed(const json& event) {
    stream.on_event(agent_sdk::SseEvent{event.value("type", "message"), event.dump(), "", {}});
  }
  void feed_all(const std::vector<json>& events) {
    for (const json& event : events) feed(event);
  }
};

providers::anthropic::ConvertedMessages convert(const json& messages) {
  return providers::anthropic::convert_messages(
      providers::parse_completion_input({{"messages", messages}}, 1.0).messages);
}

json quick(json config = json::object()) {
  config["retry"] = {{"max_attempts", 3}, {"initial_backoff_ms", 1}, {"max_backoff_ms", 5}};
  return config;
}

json request_input(json messages = json::array({user("Hi")}), json options = json::object()) {
  return {{"messages", std::move(messages)}, {"options", std::move(options)}};
}

}  // namespace

// ---- Identity and config, through the plugin boundary ----------------------------------------

TEST_CASE("anthropic loads as a thread-safe provider with id anthropic and documents its config",
          "[plugins][providers][anthropic]") {
  const auto library = load_library(kTarget);
  CHECK(library->info().id == "anthropic");
  CHECK(library->info().kind == PluginKind::provider);
  CHECK(library->info().thread_safe());
  const json& properties = library->info().manifest.config_schema["properties"];
  for (const char* key :
       {"base_url", "api_key_secret", "anthropic_version", "model", "max_tokens", "temperature",
        "stream", "headers", "connect_timeout_ms", "first_byte_timeout_ms", "idle_timeout_ms",
        "total_timeout_ms", "retry"}) {
    INFO(key);
    CHECK(properties.contains(key));
  }
  CHECK(properties["model"]["default"] == "claude-sonnet-4-5");
}

TEST_CASE("anthropic create() needs its key's secret and names it, never a value",
          "[plugins][providers][anthropic]") {
  const std::string missing = create_error(kTarget, json::object());
  CHECK_THAT(missing, Catch::Contains("the host has no secret named \"anthropic_api_key\""));
  // Another secret is configured, but not the one named: its value never appears.
  const std::string named = create_error_with_secrets(kTarget, {{"api_key_secret", "claude_key"}},
                                                      {{"anthropic_api_key", "sk-ant-visible?"}});
  CHECK_THAT(named, Catch::Contains("no secret named \"claude_key\""));
  CHECK_THAT(named, !Catch::Contains("sk-ant-visible"));
  CHECK(
      create_error_with_secrets(kTarget, {{"api_key_secret", "claude_key"}}, {{"claude_key", "k"}})
          .empty());
  CHECK(create_error_with_secrets(kTarget, json::object(), kKey).empty());
}

TEST_CASE("anthropic create() refuses bad config with a message naming the key",
          "[plugins][providers][anthropic]") {
  const auto error = [](const json& config) {
    return create_error_with_secrets(kTarget, config, kKey);
  };
  CHECK(error({{"base_url", "http://127.0.0.1:9/"},
               {"anthropic_version", "2023-06-01"},
               {"model", "claude-haiku-4-5"},
               {"max_tokens", 4096},
               {"temperature", 0.7},
               {"stream", false},
               {"headers", {{"anthropic-beta", "prompt-caching-2024-07-31"}}},
               {"idle_timeout_ms", 30000},
               {"retry", {{"max_attempts", 2}}}})
            .empty());
  CHECK_THAT(error({{"azure", json::object()}}),
             Catch::Contains("anthropic config: unknown key \"azure\" (allowed: base_url,"));
  CHECK_THAT(error({{"temperature", 1.5}}),
             Catch::Contains("\"temperature\" must be a number from 0.0 to 1.0"));
  CHECK_THAT(error({{"max_tokens", "many"}}), Catch::Contains("\"max_tokens\" must be an integer"));
  CHECK_THAT(error({{"anthropic_version", "2023 06 01"}}),
             Catch::Contains("\"anthropic_version\" must be a version"));
  CHECK_THAT(error({{"headers", {{"anthropic-version", "2099-01-01"}}}}),
             Catch::Contains("the plugin sets it"));
  CHECK_THAT(error({{"headers", {{"X-Api-Key", "sk-ant"}}}}),
             Catch::Contains("must not set \"X-Api-Key\""));
  CHECK_THAT(error({{"retry", {{"max_attempts", 0}}}}),
             Catch::Contains("anthropic config: retry:"));
}

TEST_CASE("anthropic without an HTTP client (an ABI 1.0-style host) fails complete clearly",
          "[plugins][providers][anthropic]") {
  auto provider = instantiate_without_http(kTarget, json::object(), kKey);
  const auto result = provider->invoke("complete", request_input().dump(), {});
  CHECK(result.status == AGENT_ERR_UNSUPPORTED);
  CHECK_THAT(result.error, Catch::Contains("anthropic: this host offers no HTTP client"));
}

// ---- Request building -------------------------------------------------------------------------

TEST_CASE("anthropic moves system messages to the system field and merges same-role turns",
          "[plugins][providers][anthropic]") {
  const auto converted =
      convert(json::array({{{"role", "system"}, {"content", "Be brief."}},
                           user("One."),
                           user("Two."),
                           {{"role", "system"}, {"content", "Use metric units."}},
                           {{"role", "assistant"}, {"content", "Ok."}}}));
  CHECK(converted.system == "Be brief.\n\nUse metric units.");
  CHECK(converted.messages == json::parse(R"([
    {"role": "user", "content": [{"type": "text", "text": "One."}, {"type": "text", "text": "Two."}]},
    {"role": "assistant", "content": [{"type": "text", "text": "Ok."}]}])"));
}

TEST_CASE("anthropic turns tool calls into tool_use blocks and tool messages into tool_result",
          "[plugins][providers][anthropic]") {
  const auto converted = convert(json::array(
      {user("Weather in Paris and Rome?"),
       {{"role", "assistant"},
        {"content", "Checking."},
        {"tool_calls",
         {{{"id", "toolu_1"}, {"name", "weather"}, {"arguments", "{\"city\":\"Paris\"}"}},
          {{"id", "toolu_2"}, {"name", "weather"}, {"arguments", ""}}}}},
       {{"role", "tool"}, {"tool_call_id", "toolu_1"}, {"content", "18C"}},
       {{"role", "tool"}, {"tool_call_id", "toolu_2"}, {"content", "24C"}},
       user("Thanks, and tomorrow?")}));
  CHECK(converted.system.empty());
  CHECK(converted.messages == json::parse(R"([
    {"role": "user", "content": [{"type": "text", "text": "Weather in Paris and Rome?"}]},
    {"role": "assistant", "content": [
      {"type": "text", "text": "Checking."},
      {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Paris"}},
      {"type": "tool_use", "id": "toolu_2", "name": "weather", "input": {}}]},
    {"role": "user", "content": [
      {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"},
      {"type": "tool_result", "tool_use_id": "toolu_2", "content": "24C"},
      {"type": "text", "text": "Thanks, and tomorrow?"}]}])"));
}

TEST_CASE("anthropic puts tool results first in a merged user message and drops empty text",
          "[plugins][providers][anthropic]") {
  const auto converted =
      convert(json::array({{{"role", "assistant"},
                            {"content", ""},
                            {"tool_calls", {{{"id", "t"}, {"name", "f"}, {"arguments", "{}"}}}}},
                           user("(while you look)"),
                           {{"role", "tool"}, {"tool_call_id", "t"}, {"content", "done"}},
                           {{"role", "assistant"}, {"content", ""}}}));
  REQUIRE(converted.messages.size() == 2);
  CHECK(converted.messages[0]["content"].size() == 1);  // no empty text block
  CHECK(converted.messages[1]["content"][0]["type"] == "tool_result");
  CHECK(converted.messages[1]["content"][1]["type"] == "text");
}

TEST_CASE("anthropic refuses tool-call arguments that are not a JSON object",
          "[plugins][providers][anthropic]") {
  const auto refusal = [](const std::string& arguments) {
    try {
      convert(json::array(
          {{{"role", "assistant"},
            {"tool_calls", {{{"id", "t"}, {"name", "f"}, {"arguments", arguments}}}}}}));
    } catch (const agent_sdk::Error& e) {
      CHECK(e.code() == AGENT_ERR_INVALID_INPUT);
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(refusal("{\"city\": ") == "messages[0].tool_calls[0].arguments is not valid JSON");
  CHECK(refusal("[1, 2]") == "messages[0].tool_calls[0].arguments must be a JSON object");
  CHECK_THROWS_WITH(
      convert(json::array({{{"role", "system"}, {"content", "only a system prompt"}}})),
      Catch::Contains("at least one non-empty user or assistant message"));
}

TEST_CASE("anthropic builds /v1/messages requests with its key and version headers",
          "[plugins][providers][anthropic]") {
  using namespace providers::anthropic;
  const Config config = parse_config({{"base_url", "https://proxy.test/"}, {"temperature", 0.5}});
  const json input = {{"messages", {{{"role", "system"}, {"content", "S"}}, user("Hi")}},
                      {"tools", {{{"name", "f"}, {"description", "does f"}}}},
                      {"options", {{"model", "claude-haiku-4-5"}}}};
  const auto parsed = providers::parse_completion_input(input, kMaxTemperature);
  const json body = build_body(config, providers::apply(config.defaults, parsed.options), parsed);
  CHECK(body == json::parse(R"({
    "model": "claude-haiku-4-5", "max_tokens": 1024, "system": "S",
    "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
    "tools": [{"name": "f", "description": "does f",
               "input_schema": {"type": "object", "properties": {}}}],
    "temperature": 0.5, "stream": true})"));
  const auto request = build_request(config, body, "sk-ant-1", 9);
  CHECK(request.url == "https://proxy.test/v1/messages");
  CHECK(request.call_id == 9);
  const agent_sdk::HttpHead head{0, request.headers};
  CHECK(head.header("x-api-key") == "sk-ant-1");
  CHECK(head.header("anthropic-version") == "2023-06-01");
  CHECK(head.header("content-type") == "application/json");
  CHECK_FALSE(head.header("authorization").has_value());
}

// ---- The event state machine ------------------------------------------------------------------

TEST_CASE("anthropic events stream text as it arrives and end with usage and stop reason",
          "[plugins][providers][anthropic][stream]") {
  StreamRun run;
  run.feed_all({message_start(25, 100), text_start(0), text_delta(0, "Hel")});
  CHECK(run.deltas == std::vector<json>{{{"type", "text"}, {"text", "Hel"}}});
  run.feed_all(
      {{{"type", "ping"}}, text_delta(0, "lo"), block_stop(0), message_delta("end_turn", 15)});
  CHECK_FALSE(run.stream.done());
  run.feed(message_stop());
  CHECK(run.stream.done());
  const Completion c = run.stream.finish("claude-sonnet-4-5");
  CHECK(c.text == "Hello");
  CHECK(c.model == "claude-sonnet-4-5-20250929");
  CHECK(c.finish_reason == "stop");
  CHECK(c.usage.prompt_tokens == 125);  // input + cache read
  CHECK(c.usage.completion_tokens == 15);
  CHECK(c.to_result()["usage"]["total_tokens"] == 140);
}

TEST_CASE("anthropic tool_use blocks become tool calls at their content_block_stop",
          "[plugins][providers][anthropic][stream]") {
  StreamRun run;
  run.feed_all({message_start(), text_start(0), text_delta(0, "Let me check."), block_stop(0),
                tool_start(1, "toolu_1", "weather"), json_delta(1, ""),
                json_delta(1, "{\"city\": "), json_delta(1, "\"Paris\"}")});
  CHECK(run.deltas.size() == 1);  // only the text so far
  run.feed(block_stop(1));
  REQUIRE(run.deltas.size() == 2);
  CHECK(run.deltas[1] == json{{"type", "tool_call"},
                              {"index", 0},
                              {"id", "toolu_1"},
                              {"name", "weather"},
                              {"arguments", "{\"city\":\"Paris\"}"}});
  run.feed_all({tool_start(2, "toolu_2", "clock"), block_stop(2), message_delta("tool_use", 40),
                message_stop()});
  REQUIRE(run.deltas.size() == 3);
  CHECK(run.deltas[2]["index"] == 1);
  CHECK(run.deltas[2]["arguments"] == "{}");
  const Completion c = run.stream.finish("m");
  CHECK(c.finish_reason == "tool_calls");
  CHECK(c.text == "Let me check.");
  CHECK(c.tool_calls.size() == 2);
}

TEST_CASE("anthropic stop reasons map to canonical finish reasons",
          "[plugins][providers][anthropic][stream]") {
  using providers::anthropic::finish_reason_of;
  CHECK(finish_reason_of("end_turn", false) == "stop");
  CHECK(finish_reason_of("stop_sequence", false) == "stop");
  CHECK(finish_reason_of("max_tokens", false) == "length");
  CHECK(finish_reason_of("max_tokens", true) == "length");
  CHECK(finish_reason_of("tool_use", true) == "tool_calls");
  CHECK(finish_reason_of("refusal", false) == "content_filter");
  CHECK(finish_reason_of("pause_turn", false) == "stop");
  CHECK(finish_reason_of("", false) == "stop");
  CHECK(finish_reason_of("something_new", true) == "tool_calls");
}

TEST_CASE("anthropic usage adds cache tokens to the prompt and takes later counters",
          "[plugins][providers][anthropic][stream]") {
  providers::anthropic::UsageCounters counters;
  counters.merge({{"input_tokens", 10},
                  {"cache_creation_input_tokens", 200},
                  {"cache_read_input_tokens", 3000},
                  {"output_tokens", 1}});
  counters.merge({{"output_tokens", 50}});
  auto usage = counters.to_usage();
  CHECK(usage.prompt_tokens == 3210);
  CHECK(usage.completion_tokens == 50);
  // A newer message_delta repeating the input counters (cumulative) replaces them.
  counters.merge(
      {{"input_tokens", 12}, {"output_tokens", 60}, {"cache_read_input_tokens", nullptr}});
  usage = counters.to_usage();
  CHECK(usage.prompt_tokens == 3212);
  CHECK(usage.completion_tokens == 60);
}

TEST_CASE("anthropic error events map by type", "[plugins][providers][anthropic][stream]") {
  struct Case {
    const char* type;
    int32_t code;
    bool retryable;
  };
  for (const Case c : {Case{"overloaded_error", AGENT_ERR_UNAVAILABLE, true},
                       Case{"rate_limit_error", AGENT_ERR_UNAVAILABLE, true},
                       Case{"api_error", AGENT_ERR_UNAVAILABLE, true},
                       Case{"timeout_error", AGENT_ERR_TIMEOUT, true},
                       Case{"authentication_error", AGENT_ERR_UPSTREAM, false},
                       Case{"permission_error", AGENT_ERR_UPSTREAM, false},
                       Case{"invalid_request_error", AGENT_ERR_UPSTREAM, false},
                       Case{"not_found_error", AGENT_ERR_UPSTREAM, false},
                       Case{"request_too_large", AGENT_ERR_UPSTREAM, false},
                       Case{"brand_new_error", AGENT_ERR_UPSTREAM, false}}) {
    INFO(c.type);
    StreamRun run;
    run.feed(message_start());
    try {
      run.feed(error_event(c.type, "details"));
      FAIL("no exception");
    } catch (const UpstreamError& e) {
      CHECK(e.code() == c.code);
      CHECK(e.retryable() == c.retryable);
    }
  }
  CHECK(
      std::string(providers::anthropic::error_for_type("overloaded_error", "Overloaded").what()) ==
      "anthropic: upstream unavailable (overloaded_error): Overloaded");
  CHECK(std::string(providers::anthropic::error_for_type("authentication_error",
                                                         "invalid x-api-key sk-ant-1")
                        .what()) ==
        "anthropic: upstream rejected the API key (authentication_error)");
}

TEST_CASE("anthropic malformed or out-of-order events are upstream errors",
          "[plugins][providers][anthropic][stream]") {
  const auto failure = [](const std::vector<json>& events, const std::string& raw = "") {
    StreamRun run;
    try {
      run.feed_all(events);
      if (!raw.empty()) run.stream.on_event(agent_sdk::SseEvent{"message", raw, "", {}});
      (void)run.stream.finish("m");
    } catch (const UpstreamError& e) {
      CHECK(e.code() == AGENT_ERR_UPSTREAM);
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(failure({message_start()}, "{not json") ==
        "anthropic: a streamed event is not a JSON object");
  CHECK_THAT(failure({text_start(0)}), Catch::Contains("content_block_start before message_start"));
  CHECK_THAT(failure({message_start(), text_delta(3, "x")}),
             Catch::Contains("content block 3 is not open"));
  CHECK_THAT(failure({message_start(), text_start(0), text_start(0)}),
             Catch::Contains("started twice"));
  CHECK_THAT(failure({message_start(), text_start(0), json_delta(0, "{")}),
             Catch::Contains("input_json_delta in a text block"));
  CHECK_THAT(failure({message_start(), tool_start(0, "t", "f"), text_delta(0, "x")}),
             Catch::Contains("text_delta in a tool_use block"));
  CHECK_THAT(failure({message_start(), text_start(0), message_stop()}),
             Catch::Contains("still open"));
  CHECK(failure({message_start(), text_start(0), text_delta(0, "cut"), block_stop(0)}) ==
        "anthropic: the event stream ended before message_stop");
  StreamRun retry;
  retry.feed(message_start());
  CHECK_THROWS_AS(retry.stream.finish("m"), UpstreamError);
}

TEST_CASE("anthropic skips thinking blocks and unknown events",
          "[plugins][providers][anthropic][stream]") {
  StreamRun run;
  run.feed_all(
      {message_start(),
       {{"type", "content_block_start"},
        {"index", 0},
        {"content_block", {{"type", "thinking"}, {"thinking", ""}}}},
       {{"type", "content_block_delta"},
        {"index", 0},
        {"delta", {{"type", "thinking_delta"}, {"thinking", "hmm"}}}},
       {{"type", "content_block_delta"},
        {"index", 0},
        {"delta", {{"type", "signature_delta"}, {"signature", "x"}}}},
       block_stop(0),
       {{"type", "content_block_start"},
        {"index", 2},
        {"content_block", {{"type", "server_tool_use"}, {"id", "srv_1"}, {"name", "web_search"}}}},
       json_delta(2, "{\"query\": \"x\"}"),
       block_stop(2),
       {{"type", "future_event"}, {"anything", 1}},
       text_start(1),
       text_delta(1, "Answer."),
       block_stop(1),
       message_delta("end_turn", 9),
       message_stop(),
       text_delta(1, "after the end")});
  CHECK(run.stream.finish("m").text == "Answer.");
  CHECK(run.deltas.size() == 1);
}

TEST_CASE("anthropic truncated tool input passes through as sent with finish_reason length",
          "[plugins][providers][anthropic][stream]") {
  StreamRun run;
  run.feed_all({message_start(), tool_start(0, "t", "write"), json_delta(0, "{\"text\": \"abc"),
                block_stop(0), message_delta("max_tokens", 1024), message_stop()});
  const Completion c = run.stream.finish("m");
  CHECK(c.finish_reason == "length");
  CHECK(c.tool_calls.at(0).arguments == "{\"text\": \"abc");
}

TEST_CASE("anthropic refuses more tool calls than the bound",
          "[plugins][providers][anthropic][stream]") {
  std::vector<json> deltas;
  DeltaEmitter emitter([&](const json& d) {
    deltas.push_back(d);
    return true;
  });
  providers::anthropic::EventStream stream(emitter, 1);
  const auto feed = [&](const json& e) {
    stream.on_event(agent_sdk::SseEvent{"message", e.dump(), "", {}});
  };
  feed(message_start());
  feed(tool_start(0, "a", "f"));
  feed(block_stop(0));
  try {
    feed(tool_start(1, "b", "f"));
    FAIL("no exception");
  } catch (const UpstreamError& e) {
    CHECK_FALSE(e.retryable());
    CHECK_THAT(e.what(), Catch::Contains("more than 1 tool calls"));
  }
}

TEST_CASE("a whole Messages API answer is parsed", "[plugins][providers][anthropic]") {
  const json body = json::parse(R"({
    "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
    "content": [{"type": "thinking", "thinking": "..."},
                {"type": "text", "text": "Checking."},
                {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Rome"}}],
    "stop_reason": "tool_use",
    "usage": {"input_tokens": 30, "cache_creation_input_tokens": 5, "cache_read_input_tokens": 0,
              "output_tokens": 12}})");
  const Completion c = providers::anthropic::parse_response(body, "m");
  CHECK(c.text == "Checking.");
  REQUIRE(c.tool_calls.size() == 1);
  CHECK(c.tool_calls[0].arguments == "{\"city\":\"Rome\"}");
  CHECK(c.finish_reason == "tool_calls");
  CHECK(c.usage.prompt_tokens == 35);
  CHECK(c.usage.completion_tokens == 12);
  CHECK(c.model == "claude-sonnet-4-5-20250929");
  try {
    providers::anthropic::parse_response(
        {{"type", "error"}, {"error", {{"type", "overloaded_error"}, {"message", "Overloaded"}}}},
        "m");
    FAIL("no exception");
  } catch (const UpstreamError& e) {
    CHECK(e.code() == AGENT_ERR_UNAVAILABLE);
  }
  CHECK_THROWS_WITH(providers::anthropic::parse_response({{"type", "message"}}, "m"),
                    "anthropic: the answer has no content array");
}

// ---- Whole calls through the C ABI, against a scripted upstream --------------------------------

TEST_CASE("anthropic streams a completion through the host's HTTP client",
          "[plugins][providers][anthropic][scripted]") {
  ScriptedHost host(kKey);
  RawProvider provider(kTarget, host, quick());
  host.http.push(text_answer({"Bon", "jour", "!"}, 7));
  const uint64_t call_id = RawProvider::next_call_id();
  const Outcome outcome = provider.complete(
      request_input(json::array({{{"role", "system"}, {"content", "Be French."}}, user("Hi")})),
      nullptr, 0, call_id);
  REQUIRE(outcome.status == AGENT_OK);
  CHECK(outcome.streamed_text() == "Bonjour!");
  CHECK(outcome.deltas.size() == 3);
  CHECK(outcome.result == json::parse(R"({
    "message": {"role": "assistant", "content": "Bonjour!"},
    "usage": {"prompt_tokens": 25, "completion_tokens": 15, "total_tokens": 40},
    "model": "claude-sonnet-4-5-20250929", "finish_reason": "stop"})"));
  const auto requests = host.http.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].url == "https://api.anthropic.com/v1/messages");
  CHECK(requests[0].headers.at("x-api-key") == "sk-ant-test-123");
  CHECK(requests[0].headers.at("anthropic-version") == "2023-06-01");
  CHECK_FALSE(requests[0].has_header("authorization"));
  CHECK(requests[0].call_id == call_id);
  const json body = requests[0].body_json();
  CHECK(body["model"] == "claude-sonnet-4-5");
  CHECK(body["max_tokens"] == 1024);
  CHECK(body["system"] == "Be French.");
  CHECK(body["stream"] == true);
}

TEST_CASE("anthropic retries 529 and overloaded_error before output",
          "[plugins][providers][anthropic][scripted]") {
  ScriptedHost host(kKey);
  RawProvider provider(kTarget, host, quick());
  host.http.push(json_answer(
      529,
      {{"type", "error"}, {"error", {{"type", "overloaded_error"}, {"message", "Overloaded"}}}}));
  host.http.push(stream_of({message_start(), error_event("overloaded_error", "Overloaded")}));
  host.http.push(text_answer({"finally"}));
  const Outcome outcome = provider.complete(request_input());
  REQUIRE(outcome.status == AGENT_OK);
  CHECK(outcome.result["message"]["content"] == "finally");
  CHECK(host.http.request_count() == 3);
  int warnings = 0;
  for (const auto& [level, line] : host.logs()) {
    if (level == AGENT_LOG_WARN) ++warnings;
    CHECK_THAT(line, !Catch::Contains("sk-ant-test-123"));
  }
  CHECK(warnings == 2);
}

TEST_CASE("anthropic fails without retrying when the upstream errors after output",
          "[plugins][providers][anthropic][scripted]") {
  ScriptedHost host(kKey);
  RawProvider provider(kTarget, host, quick());
  host.http.push(stream_of({message_start(), text_start(0), text_delta(0, "Half"),
                            error_event("overloaded_error", "Overloaded")}));
  host.http.push(text_answer({"never requested"}));
  const Outcome outcome = provider.complete(request_input());
  CHECK(outcome.status == AGENT_ERR_UNAVAILABLE);
  CHECK_FALSE(outcome.retryable);
  CHECK_THAT(outcome.error, Catch::Contains("(overloaded_error): Overloaded"));
  CHECK_THAT(outcome.error, Catch::Contains("after part of the answer was streamed"));
  CHECK(outcome.streamed_text() == "Half");
  CHECK(host.http.request_count() == 1);
}

TEST_CASE("anthropic maps a rejected key and a bad request without retrying",
          "[plugins][providers][anthropic][scripted]") {
  ScriptedHost host(kKey);
  RawProvider provider(kTarget, host, quick());
  host.http.push(json_answer(
      401, {{"type", "error"},
            {"error", {{"type", "authentication_error"}, {"message", "invalid x-api-key"}}}}));
  const Outcome rejected = provider.complete(request_input());
  CHECK(rejected.status == AGENT_ERR_UPSTREAM);
  CHECK(rejected.error == "anthropic: upstream rejected the API key (HTTP 401)");
  host.http.push(json_answer(
      400, {{"type", "error"},
            {"error", {{"type", "invalid_request_error"}, {"message", "max_tokens: too large"}}}}));
  const Outcome bad = provider.complete(request_input());
  CHECK(bad.status == AGENT_ERR_UPSTREAM);
  CHECK_FALSE(bad.retryable);
  CHECK(bad.error == "anthropic: upstream refused the request (HTTP 400): max_tokens: too large");
  CHECK(host.http.request_count() == 2);
}

TEST_CASE("anthropic in non-stream mode parses the whole answer and honours call options",
          "[plugins][providers][anthropic][scripted]") {
  ScriptedHost host(kKey);
  RawProvider provider(kTarget, host, quick({{"stream", false}}));
  host.http.push(
      json_answer(200, json::parse(R"({"type": "message", "model": "claude-haiku-4-5-20251001",
    "content": [{"type": "text", "text": "Short."}], "stop_reason": "max_tokens",
    "usage": {"input_tokens": 8, "output_tokens": 3}})")));
  const Outcome outcome = provider.complete(
      request_input(json::array({user("Hi")}),
                    {{"model", "claude-haiku-4-5"}, {"max_tokens", 3}, {"temperature", 0}}));
  REQUIRE(outcome.status == AGENT_OK);
  CHECK(outcome.result["finish_reason"] == "length");
  CHECK(outcome.result["model"] == "claude-haiku-4-5-20251001");
  CHECK(outcome.streamed_text() == "Short.");
  const json body = host.http.requests().at(0).body_json();
  CHECK(body["model"] == "claude-haiku-4-5");
  CHECK(body["max_tokens"] == 3);
  CHECK(body["temperature"] == 0);
  CHECK(body["stream"] == false);
}

TEST_CASE("anthropic refuses invalid tool-call arguments in the history before calling out",
          "[plugins][providers][anthropic][scripted]") {
  ScriptedHost host(kKey);
  RawProvider provider(kTarget, host, quick());
  const Outcome outcome = provider.complete(request_input(
      json::array({user("x"),
                   {{"role", "assistant"},
                    {"tool_calls", {{{"id", "t"}, {"name", "f"}, {"arguments", "{oops"}}}}}})));
  CHECK(outcome.status == AGENT_ERR_INVALID_INPUT);
  CHECK_THAT(outcome.error, Catch::Contains("arguments is not valid JSON"));
  CHECK(host.http.request_count() == 0);
}
