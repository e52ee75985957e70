// The openai provider: its pure logic below the plugin boundary (request building, the streamed
// tool-call assembler, chunk and answer parsing), its config and its behaviour without an HTTP
// client through the host's PluginInstance, and whole calls through its C ABI against a
// scripted upstream (streaming, tool calls, retries, cancellation).
#include <thread>

#include "bundled_plugin_support.hpp"
#include "common/upstream_error.hpp"
#include "openai/openai_config.hpp"
#include "openai/openai_request.hpp"
#include "openai/openai_response.hpp"
#include "openai/openai_stream.hpp"
#include "openai/tool_call_assembler.hpp"
#include "providers/scripted_upstream.hpp"

using namespace bundled_plugins_test;
using namespace provider_test;
using providers::Completion;
using providers::DeltaEmitter;
using providers::ToolCall;
using providers::UpstreamError;
using std::chrono::milliseconds;

namespace {

constexpr const char* kTarget = "provider_openai";

json user(const std::string& text) { return {{"role", "user"}, {"content", text}}; }

json chunk(const json& delta, const json& finish_reason = nullptr) {
  return {{"id", "chatcmpl-1"},
          {"object", "chat.completion.chunk"},
          {"model", "gpt-4o-2024-08-06"},
          {"choices", {{{"index", 0}, {"delta", delta}, {"finish_reason", finish_reason}}}}};
}

json usage_chunk(int prompt, int completion) {
  return {{"id", "chatcmpl-1"},
          {"model", "gpt-4o-2024-08-06"},
          {"choices", json::array()},
          {"usage",
           {{"prompt_tokens", prompt},
            {"completion_tokens", completion},
            {"total_tokens", prompt + completion}}}};
}

json tool_fragment(int index, const json& id, const json& name, const std::string& arguments) {
  json function = {{"arguments", arguments}};
  if (!name.is_null()) function["name"] = name;
  json fragment = {{"index", index}, {"function", function}};
  if (!id.is_null()) {
    fragment["id"] = id;
    fragment["type"] = "function";
  }
  return fragment;
}

// A whole streamed answer: the text in pieces, then usage, then [DONE].
ScriptedAnswer text_stream(const std::vector<std::string>& pieces, std::size_t piece_bytes = 0) {
  std::vector<std::pair<std::string, std::string>> events;
  events.push_back({"", chunk({{"role", "assistant"}, {"content", ""}}).dump()});
  for (const auto& text : pieces) events.push_back({"", chunk({{"content", text}}).dump()});
  events.push_back({"", chunk(json::object(), "stop").dump()});
  events.push_back({"", usage_chunk(12, 3).dump()});
  events.push_back({"", "[DONE]"});
  return sse(events, piece_bytes);
}

// Feeds SSE payloads to a ChunkStream and collects what it emits.
struct StreamRun {
  std::vector<json> deltas;
  DeltaEmitter emitter{[this](const json& delta) {
    deltas.push_back(delta);
    return true;
  }};
  providers::openai::ChunkStream stream{emitter};

  void feed(const json& payload) {
    stream.on_event(agent_sdk::SseEvent{"message", payload.dump(), "", {}});
  }
  void done() { stream.on_event(agent_sdk::SseEvent{"message", "[DONE]", "", {}}); }
};

std::vector<ToolCall> assemble(const std::vector<json>& fragments) {
  providers::openai::ToolCallAssembler assembler;
  for (const json& fragment : fragments) assembler.apply(fragment);
  return assembler.finish();
}

json request_input(json messages = json::array({user("Hi")}), json options = json::object()) {
  return {{"messages", std::move(messages)}, {"options", std::move(options)}};
}

// The retry settings of the scripted calls: quick, so the suite stays fast.
json quick(json config = json::object()) {
  config["retry"] = {{"max_attempts", 3}, {"initial_backoff_ms", 1}, {"max_backoff_ms", 5}};
  return config;
}

}  // namespace

// ---- Identity and config, through the plugin boundary ----------------------------------------

TEST_CASE("openai loads as a thread-safe provider with id openai and documents its config",
          "[plugins][providers][openai]") {
  const auto library = load_library(kTarget);
  CHECK(library->info().id == "openai");
  CHECK(library->info().kind == PluginKind::provider);
  CHECK(library->info().thread_safe());
  const json& properties = library->info().manifest.config_schema["properties"];
  for (const char* key :
       {"base_url", "api_key_secret", "azure", "model", "temperature", "max_tokens", "stream",
        "headers", "connect_timeout_ms", "first_byte_timeout_ms", "idle_timeout_ms",
        "total_timeout_ms", "retry"}) {
    INFO(key);
    CHECK(properties.contains(key));
  }
  CHECK(library->info().manifest.config_schema["additionalProperties"] == false);
}

TEST_CASE("openai create() accepts no config, a local server and an Azure deployment",
          "[plugins][providers][openai]") {
  CHECK(create_error(kTarget, json::object()).empty());
  CHECK(create_error(kTarget, {{"base_url", "http://127.0.0.1:11434/v1"},
                               {"model", "llama3.2"},
                               {"temperature", 0.3},
                               {"max_tokens", 512},
                               {"stream", false},
                               {"headers", {{"OpenAI-Organization", "org-1"}}},
                               {"connect_timeout_ms", 2000},
                               {"retry", {{"max_attempts", 5}}}})
            .empty());
  CHECK(create_error(kTarget,
                     {{"base_url", "https://res.openai.azure.com"},
                      {"azure", {{"deployment", "gpt4o-prod"}, {"api_version", "2024-10-21"}}}})
            .empty());
}

TEST_CASE("openai create() refuses bad config with a message naming the key",
          "[plugins][providers][openai]") {
  CHECK_THAT(create_error(kTarget, {{"modle", "gpt-4o"}}),
             Catch::Contains("openai config: unknown key \"modle\" (allowed: base_url,"));
  CHECK_THAT(create_error(kTarget, {{"temperature", 2.5}}),
             Catch::Contains("\"temperature\" must be a number from 0.0 to 2.0"));
  CHECK_THAT(create_error(kTarget, {{"max_tokens", 0}}),
             Catch::Contains("\"max_tokens\" must be an integer"));
  CHECK_THAT(create_error(kTarget, {{"stream", "yes"}}),
             Catch::Contains("\"stream\" must be true or false"));
  CHECK_THAT(create_error(kTarget, {{"model", ""}}),
             Catch::Contains("\"model\" must be a non-empty string"));
  CHECK_THAT(create_error(kTarget, {{"base_url", "api.openai.com"}}),
             Catch::Contains("\"base_url\" must be an absolute"));
  CHECK_THAT(create_error(kTarget, {{"headers", {{"Authorization", "Bearer sk-live"}}}}),
             Catch::Contains("must not set \"Authorization\""));
  CHECK_THAT(create_error(kTarget, {{"azure", {{"deployment", "d"}, {"api_version", "v"}}}}),
             Catch::Contains("\"azure\" needs \"base_url\" too"));
  CHECK_THAT(create_error(kTarget, {{"base_url", "https://r.openai.azure.com"},
                                    {"azure", {{"deployment", "d"}}}}),
             Catch::Contains("openai config: azure: \"api_version\" must be"));
  CHECK_THAT(create_error(kTarget, {{"base_url", "https://r.openai.azure.com"},
                                    {"azure", {{"deployment", "d/../x"}, {"api_version", "v"}}}}),
             Catch::Contains("\"deployment\" must be a deployment name"));
  CHECK_THAT(create_error(kTarget, {{"retry", {{"max_backoff_ms", -5}}}}),
             Catch::Contains("openai config: retry: \"max_backoff_ms\""));
}

TEST_CASE("openai without an HTTP client (an ABI 1.0-style host) fails complete clearly",
          "[plugins][providers][openai]") {
  auto provider = instantiate_without_http(kTarget);
  const auto result = provider->invoke("complete", request_input().dump(), {});
  CHECK(result.status == AGENT_ERR_UNSUPPORTED);
  CHECK_THAT(result.error, Catch::Contains("openai: this host offers no HTTP client"));
  CHECK_FALSE(result.retryable);
  // The same through the raw ABI with http == NULL.
  ScriptedHost host({}, /*offer_http=*/false);
  RawProvider raw(kTarget, host);
  const Outcome outcome = raw.complete(request_input());
  CHECK(outcome.status == AGENT_ERR_UNSUPPORTED);
  CHECK(host.http.request_count() == 0);
}

// ---- Request building -------------------------------------------------------------------------

TEST_CASE("openai builds /chat/completions requests, with a Bearer key only when there is one",
          "[plugins][providers][openai]") {
  using namespace providers::openai;
  const Config config = parse_config({{"base_url", "http://localhost:8000/v1/"},
                                      {"headers", {{"OpenAI-Organization", "org-1"}}},
                                      {"total_timeout_ms", 9000}});
  CHECK(endpoint_url(config) == "http://localhost:8000/v1/chat/completions");
  const auto with_key = build_request(config, json::object(), std::string("sk-test"), 7);
  CHECK(with_key.url == "http://localhost:8000/v1/chat/completions");
  CHECK(with_key.call_id == 7);
  CHECK(with_key.total_timeout == milliseconds(9000));
  const auto header = [](const agent_sdk::HttpRequest& r, const std::string& name) {
    agent_sdk::HttpHead head{0, r.headers};
    return head.header(name);
  };
  CHECK(header(with_key, "authorization") == "Bearer sk-test");
  CHECK(header(with_key, "OpenAI-Organization") == "org-1");
  CHECK(header(with_key, "accept") == "text/event-stream");
  const auto without_key = build_request(config, json::object(), std::nullopt, 7);
  CHECK_FALSE(header(without_key, "authorization").has_value());
}

TEST_CASE("openai on Azure uses the deployment URL and the api-key header",
          "[plugins][providers][openai]") {
  using namespace providers::openai;
  const Config config =
      parse_config({{"base_url", "https://res.openai.azure.com"},
                    {"azure", {{"deployment", "gpt4o-prod"}, {"api_version", "2024-10-21"}}}});
  CHECK(endpoint_url(config) ==
        "https://res.openai.azure.com/openai/deployments/gpt4o-prod/chat/"
        "completions?api-version=2024-10-21");
  const auto request = build_request(config, json::object(), std::string("azure-key"), 1);
  const agent_sdk::HttpHead head{0, request.headers};
  CHECK(head.header("api-key") == "azure-key");
  CHECK_FALSE(head.header("authorization").has_value());
  // The deployment chooses the model.
  const auto input = providers::parse_completion_input(request_input(), kMaxTemperature);
  CHECK_FALSE(build_body(config, config.defaults, input).contains("model"));
}

TEST_CASE("openai converts canonical messages and tools to Chat Completions form",
          "[plugins][providers][openai]") {
  using namespace providers::openai;
  const json input = {
      {"messages",
       {{{"role", "system"}, {"content", "Be brief."}},
        user("Weather in Paris?"),
        {{"role", "assistant"},
         {"content", nullptr},
         {"tool_calls",
          {{{"id", "call_1"}, {"name", "weather"}, {"arguments", "{\"city\":\"Paris\"}"}}}}},
        {{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "18C"}},
        {{"role", "assistant"}, {"content", "It is 18C."}}}},
      {"tools",
       {{{"name", "weather"},
         {"description", "Current weather"},
         {"input_schema",
          {{"type", "object"}, {"properties", {{"city", {{"type", "string"}}}}}}}}}},
      {"options", {{"model", "gpt-4o-mini"}, {"temperature", 0.2}, {"max_tokens", 50}}}};
  const Config config = parse_config(json::object());
  const auto parsed = providers::parse_completion_input(input, kMaxTemperature);
  const json body = build_body(config, providers::apply(config.defaults, parsed.options), parsed);
  CHECK(body["model"] == "gpt-4o-mini");
  CHECK(body["temperature"] == 0.2);
  CHECK(body["max_tokens"] == 50);
  CHECK(body["stream"] == true);
  CHECK(body["stream_options"] == json{{"include_usage", true}});
  CHECK(body["messages"] == json::parse(R"([
          {"role": "system", "content": "Be brief."},
          {"role": "user", "content": "Weather in Paris?"},
          {"role": "assistant", "content": null, "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "weather", "arguments": "{\"city\":\"Paris\"}"}}]},
          {"role": "tool", "tool_call_id": "call_1", "content": "18C"},
          {"role": "assistant", "content": "It is 18C."}])"));
  CHECK(body["tools"] == json::parse(R"([{"type": "function", "function": {
          "name": "weather", "description": "Current weather",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}])"));

  const Config plain = parse_config({{"stream", false}, {"temperature", 1.0}});
  const auto bare = providers::parse_completion_input(request_input(), kMaxTemperature);
  const json quiet = build_body(plain, plain.defaults, bare);
  CHECK(quiet["model"] == "gpt-4o");
  CHECK(quiet["stream"] == false);
  CHECK_FALSE(quiet.contains("stream_options"));
  CHECK_FALSE(quiet.contains("tools"));
  CHECK_FALSE(quiet.contains("max_tokens"));
  CHECK(quiet["temperature"] == 1.0);
}

// ---- The streamed tool-call assembler ----------------------------------------------------------

TEST_CASE("a tool call is assembled from an id fragment and argument fragments",
          "[plugins][providers][openai][tools]") {
  const auto calls = assemble({tool_fragment(0, "call_a", "get_weather", ""),
                               tool_fragment(0, nullptr, nullptr, "{\"ci"),
                               tool_fragment(0, nullptr, nullptr, "ty\": \"Par"),
                               tool_fragment(0, nullptr, nullptr, "is\"}")});
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].id == "call_a");
  CHECK(calls[0].name == "get_weather");
  CHECK(calls[0].arguments == "{\"city\": \"Paris\"}");
}

TEST_CASE("parallel tool calls at distinct indexes are assembled independently, interleaved",
          "[plugins][providers][openai][tools]") {
  const auto calls = assemble(
      {tool_fragment(0, "call_a", "f", ""), tool_fragment(1, "call_b", "g", ""),
       tool_fragment(0, nullptr, nullptr, "{\"x\":"),
       tool_fragment(1, nullptr, nullptr, "{\"y\":2}"), tool_fragment(0, nullptr, nullptr, "1}")});
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].id == "call_a");
  CHECK(calls[0].arguments == "{\"x\":1}");
  CHECK(calls[1].id == "call_b");
  CHECK(calls[1].name == "g");
  CHECK(calls[1].arguments == "{\"y\":2}");
}

TEST_CASE("servers that reuse index 0 for parallel calls still give separate calls",
          "[plugins][providers][openai][tools]") {
  const auto calls = assemble(
      {tool_fragment(0, "call_a", "f", "{\"n\":"), tool_fragment(0, nullptr, nullptr, "1}"),
       tool_fragment(0, "call_b", "f", "{\"n\":"), tool_fragment(0, nullptr, nullptr, "2}"),
       tool_fragment(0, "call_c", "g", "{}")});
  REQUIRE(calls.size() == 3);
  CHECK(calls[0].arguments == "{\"n\":1}");
  CHECK(calls[1].id == "call_b");
  CHECK(calls[1].arguments == "{\"n\":2}");
  CHECK(calls[2].id == "call_c");
  CHECK(calls[2].name == "g");
}

TEST_CASE("an id repeated on every fragment of one call does not split it",
          "[plugins][providers][openai][tools]") {
  const auto calls = assemble({tool_fragment(0, "call_a", "lookup", "{\"q\":"),
                               tool_fragment(0, "call_a", "lookup", "\"x\"}")});
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].name == "lookup");
  CHECK(calls[0].arguments == "{\"q\":\"x\"}");
}

TEST_CASE("calls without ids or arguments get stand-ins, arguments sent as objects are kept",
          "[plugins][providers][openai][tools]") {
  const auto calls =
      assemble({tool_fragment(0, nullptr, "now", ""),
                {{"index", 1}, {"function", {{"name", "sum"}, {"arguments", {{"a", 1}}}}}}});
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].id == "call_0");
  CHECK(calls[0].arguments == "{}");
  CHECK(calls[1].id == "call_1");
  CHECK(calls[1].arguments == "{\"a\":1}");
  // Without an index a fragment continues the latest call.
  const auto latest =
      assemble({tool_fragment(0, "call_z", "f", "{\"a\""), {{"function", {{"arguments", ":1}"}}}}});
  REQUIRE(latest.size() == 1);
  CHECK(latest[0].arguments == "{\"a\":1}");
}

TEST_CASE("malformed tool-call fragments are upstream errors",
          "[plugins][providers][openai][tools]") {
  providers::openai::ToolCallAssembler nameless;
  nameless.apply(tool_fragment(0, "call_a", nullptr, "{}"));
  CHECK_THROWS_AS(nameless.finish(), UpstreamError);
  providers::openai::ToolCallAssembler junk;
  CHECK_THROWS_AS(junk.apply("not an object"), UpstreamError);
  providers::openai::ToolCallAssembler small(2);
  small.apply(tool_fragment(0, "a", "f", ""));
  small.apply(tool_fragment(1, "b", "f", ""));
  try {
    small.apply(tool_fragment(2, "c", "f", ""));
    FAIL("no exception");
  } catch (const UpstreamError& e) {
    CHECK(e.code() == AGENT_ERR_UPSTREAM);
    CHECK_FALSE(e.retryable());
    CHECK_THAT(e.what(), Catch::Contains("more than 2 tool calls"));
  }
}

// ---- Chunks and whole answers -----------------------------------------------------------------

TEST_CASE("streamed chunks emit text as it arrives and end with usage and the model",
          "[plugins][providers][openai][stream]") {
  StreamRun run;
  run.feed(chunk({{"role", "assistant"}, {"content", ""}}));
  run.feed(chunk({{"content", "Hel"}}));
  CHECK(run.deltas == std::vector<json>{{{"type", "text"}, {"text", "Hel"}}});
  run.feed(chunk({{"content", "lo"}}));
  run.feed(chunk(json::object(), "stop"));
  run.feed(usage_chunk(12, 3));
  CHECK_FALSE(run.stream.done());
  run.done();
  CHECK(run.stream.done());
  const Completion c = run.stream.finish("gpt-4o");
  CHECK(c.text == "Hello");
  CHECK(c.model == "gpt-4o-2024-08-06");
  CHECK(c.finish_reason == "stop");
  CHECK(c.usage.prompt_tokens == 12);
  CHECK(c.usage.completion_tokens == 3);
  CHECK(c.usage.total_tokens == 15);
  CHECK(run.deltas.size() == 2);
}

TEST_CASE("streamed tool calls are emitted once, complete, at the end of the stream",
          "[plugins][providers][openai][stream]") {
  StreamRun run;
  run.feed(chunk({{"tool_calls", {tool_fragment(0, "call_a", "f", "")}}}));
  run.feed(chunk({{"tool_calls", {tool_fragment(0, nullptr, nullptr, "{\"a\":1}")}}}));
  run.feed(chunk({{"tool_calls", {tool_fragment(0, "call_b", "g", "{}")}}}));
  run.feed(chunk(json::object(), "tool_calls"));
  CHECK(run.deltas.empty());  // nothing until the calls are complete
  run.done();
  REQUIRE(run.deltas.size() == 2);
  CHECK(run.deltas[0] == json{{"type", "tool_call"},
                              {"index", 0},
                              {"id", "call_a"},
                              {"name", "f"},
                              {"arguments", "{\"a\":1}"}});
  CHECK(run.deltas[1]["index"] == 1);
  CHECK(run.deltas[1]["id"] == "call_b");
  const Completion c = run.stream.finish("m");
  CHECK(c.finish_reason == "tool_calls");
  CHECK(c.text.empty());
  CHECK(c.tool_calls.size() == 2);
  CHECK(c.model == "gpt-4o-2024-08-06");
  CHECK(c.to_result()["message"]["content"].is_null());
}

TEST_CASE("a stream cut before [DONE] or carrying garbage is a retryable upstream error",
          "[plugins][providers][openai][stream]") {
  StreamRun cut;
  cut.feed(chunk({{"content", "partial"}}));
  try {
    (void)cut.stream.finish("m");
    FAIL("no exception");
  } catch (const UpstreamError& e) {
    CHECK(e.code() == AGENT_ERR_UPSTREAM);
    CHECK(e.retryable());
    CHECK(std::string(e.what()) == "openai: the event stream ended before [DONE]");
  }
  StreamRun garbage;
  CHECK_THROWS_WITH(
      garbage.stream.on_event(agent_sdk::SseEvent{"message", "{\"choices\": [", "", {}}),
      "openai: a streamed chunk is not a JSON object");
  // Odd but valid shapes are tolerated: no choices, a null delta, a non-zero choice index.
  StreamRun odd;
  odd.feed({{"choices", nullptr}});
  odd.feed({{"choices", {{{"index", 0}, {"delta", nullptr}}}}});
  odd.feed({{"choices", {{{"index", 1}, {"delta", {{"content", "other choice"}}}}}}});
  odd.feed({{"usage", nullptr}});
  odd.done();
  const Completion c = odd.stream.finish("requested");
  CHECK(c.text.empty());
  CHECK(c.model == "requested");
  CHECK(c.usage.prompt_tokens == 0);
}

TEST_CASE("an error inside the stream is reported with the upstream's message",
          "[plugins][providers][openai][stream]") {
  StreamRun run;
  try {
    run.feed({{"error", {{"message", "The server had an error"}, {"type", "server_error"}}}});
    FAIL("no exception");
  } catch (const UpstreamError& e) {
    CHECK(e.code() == AGENT_ERR_UPSTREAM);
    CHECK(e.retryable());
    CHECK(std::string(e.what()) ==
          "openai: the upstream reported an error: The server had an error");
  }
  StreamRun client;
  try {
    client.feed({{"error", {{"message", "bad tool schema"}, {"code", 400}}}});
    FAIL("no exception");
  } catch (const UpstreamError& e) {
    CHECK_FALSE(e.retryable());
  }
}

TEST_CASE("events after [DONE] are ignored", "[plugins][providers][openai][stream]") {
  StreamRun run;
  run.feed(chunk({{"content", "a"}}));
  run.done();
  run.feed(chunk({{"content", "b"}}));
  run.stream.on_event(agent_sdk::SseEvent{"message", "garbage", "", {}});
  CHECK(run.stream.finish("m").text == "a");
}

TEST_CASE("a whole Chat Completion answer is parsed", "[plugins][providers][openai]") {
  const json body = json::parse(R"({
    "id": "chatcmpl-2", "object": "chat.completion", "model": "gpt-4o-2024-08-06",
    "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
      "role": "assistant", "content": null,
      "tool_calls": [{"id": "call_1", "type": "function",
                      "function": {"name": "weather", "arguments": "{\"city\":\"Rome\"}"}}]}}],
    "usage": {"prompt_tokens": 40, "completion_tokens": 9, "total_tokens": 49,
              "prompt_tokens_details": {"cached_tokens": 32}}})");
  const Completion c = providers::openai::parse_response(body, "gpt-4o");
  CHECK(c.text.empty());
  REQUIRE(c.tool_calls.size() == 1);
  CHECK(c.tool_calls[0].arguments == "{\"city\":\"Rome\"}");
  CHECK(c.finish_reason == "tool_calls");
  CHECK(c.usage.prompt_tokens == 40);  // cached tokens are already inside prompt_tokens
  CHECK(c.usage.total_tokens == 49);
  CHECK(c.model == "gpt-4o-2024-08-06");

  const Completion text = providers::openai::parse_response(
      {{"choices", {{{"message", {{"content", "Hi"}}}, {"finish_reason", "length"}}}}}, "fallback");
  CHECK(text.text == "Hi");
  CHECK(text.finish_reason == "length");
  CHECK(text.model == "fallback");
  CHECK_THROWS_WITH(providers::openai::parse_response({{"choices", json::array()}}, "m"),
                    "openai: the answer has no choices");
  CHECK_THROWS_AS(providers::openai::parse_response({{"error", {{"message", "x"}}}}, "m"),
                  UpstreamError);
}

// ---- Whole calls through the C ABI, against a scripted upstream --------------------------------

TEST_CASE("openai streams a completion: deltas as they arrive, then the canonical result",
          "[plugins][providers][openai][scripted]") {
  ScriptedHost host(Secrets{{"openai_api_key", "sk-test-123"}});
  RawProvider provider(kTarget, host, quick({{"model", "gpt-4o"}}));
  // Piece size 5 splits events and lines anywhere.
  host.http.push(text_stream({"Hel", "lo, ", "world"}, 5));
  const uint64_t call_id = RawProvider::next_call_id();
  const Outcome outcome = provider.complete(request_input(), nullptr, 0, call_id);
  REQUIRE(outcome.status == AGENT_OK);
  CHECK(outcome.streamed_text() == "Hello, world");
  CHECK(outcome.deltas.size() == 3);
  CHECK(outcome.result == json::parse(R"({
    "message": {"role": "assistant", "content": "Hello, world"},
    "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
    "model": "gpt-4o-2024-08-06", "finish_reason": "stop"})"));
  const auto requests = host.http.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].url == "https://api.openai.com/v1/chat/completions");
  CHECK(requests[0].headers.at("authorization") == "Bearer sk-test-123");
  CHECK(requests[0].headers.at("content-type") == "application/json");
  CHECK(requests[0].call_id == call_id);  // so the host aborts the socket on cancel
  CHECK(requests[0].body_json()["stream_options"]["include_usage"] == true);
  CHECK(requests[0].body_json()["messages"] == json::array({user("Hi")}));
}

TEST_CASE("openai sends no Authorization header when the host has no key (local servers)",
          "[plugins][providers][openai][scripted]") {
  ScriptedHost host;
  RawProvider provider(kTarget, host, quick({{"base_url", "http://127.0.0.1:11434/v1"}}));
  host.http.push(text_stream({"ok"}));
  REQUIRE(
      provider.complete(request_input(json::array({user("Hi")}), {{"model", "llama3.2"}})).status ==
      AGENT_OK);
  const auto request = host.http.requests().at(0);
  CHECK_FALSE(request.has_header("authorization"));
  CHECK(request.url == "http://127.0.0.1:11434/v1/chat/completions");
  CHECK(request.body_json()["model"] == "llama3.2");  // the call's option wins
}

TEST_CASE("openai streams tool calls from a server that reuses index 0",
          "[plugins][providers][openai][scripted]") {
  ScriptedHost host;
  RawProvider provider(kTarget, host, quick());
  host.http.push(sse(
      {{"", chunk({{"role", "assistant"}, {"content", nullptr}}).dump()},
       {"", chunk({{"tool_calls", {tool_fragment(0, "call_1", "weather", "")}}}).dump()},
       {"", chunk({{"tool_calls", {tool_fragment(0, nullptr, nullptr, "{\"city\":\"Paris\"}")}}})
                .dump()},
       {"", chunk({{"tool_calls", {tool_fragment(0, "call_2", "weather", "{\"city\":")}}}).dump()},
       {"", chunk({{"tool_calls", {tool_fragment(0, nullptr, nullptr, "\"Rome\"}")}}}).dump()},
       {"", chunk(json::object(), "tool_calls").dump()},
       {"", usage_chunk(30, 20).dump()},
       {"", "[DONE]"}},
      3));
  const json input = {
      {"messages", {user("Paris and Rome?")}},
      {"tools",
       {{{"name", "weather"}, {"description", "d"}, {"input_schema", {{"type", "object"}}}}}}};
  const Outcome outcome = provider.complete(input);
  REQUIRE(outcome.status == AGENT_OK);
  REQUIRE(outcome.deltas.size() == 2);
  CHECK(outcome.deltas[0] == json{{"type", "tool_call"},
                                  {"index", 0},
                                  {"id", "call_1"},
                                  {"name", "weather"},
                                  {"arguments", "{\"city\":\"Paris\"}"}});
  CHECK(outcome.deltas[1]["arguments"] == "{\"city\":\"Rome\"}");
  CHECK(outcome.result["finish_reason"] == "tool_calls");
  CHECK(outcome.result["message"]["content"].is_null());
  CHECK(outcome.result["message"]["tool_calls"].size() == 2);
  CHECK(host.http.requests().at(0).body_json()["tools"][0]["function"]["name"] == "weather");
}

TEST_CASE("openai retries 429/5xx with backoff, logging each retry without secrets",
          "[plugins][providers][openai][scripted]") {
  ScriptedHost host(Secrets{{"openai_api_key", "sk-secret-value"}});
  RawProvider provider(kTarget, host, quick());
  host.http.push(json_answer(503, {{"error", {{"message", "overloaded"}}}}));
  host.http.push(json_answer(429, {{"error", {{"message", "slow down"}}}}, {{"Retry-After", "0"}}));
  host.http.push(text_stream({"fine"}));
  const Outcome outcome = provider.complete(request_input());
  REQUIRE(outcome.status == AGENT_OK);
  CHECK(outcome.result["message"]["content"] == "fine");
  const auto requests = host.http.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].body == requests[2].body);  // the same request each time
  std::vector<std::string> warnings;
  for (const auto& [level, line] : host.logs()) {
    CHECK_THAT(line, !Catch::Contains("sk-secret-value"));
    CHECK_THAT(line, !Catch::Contains("overloaded"));  // no bodies
    if (level == AGENT_LOG_WARN) warnings.push_back(line);
  }
  REQUIRE(warnings.size() == 2);
  CHECK_THAT(warnings[0],
             Catch::StartsWith("openai: attempt 1 of 3 failed (HTTP 503); retrying in "));
  CHECK(warnings[1] == "openai: attempt 2 of 3 failed (HTTP 429); retrying in 0 ms (Retry-After)");
}

TEST_CASE("openai gives up after max_attempts with the last, retryable error",
          "[plugins][providers][openai][scripted]") {
  ScriptedHost host;
  RawProvider provider(kTarget, host, quick());
  for (int i = 0; i < 3; ++i) host.http.push(json_answer(502, {{"error", "bad gateway"}}));
  const Outcome outcome = provider.complete(request_input());
  CHECK(outcome.status == AGENT_ERR_UNAVAILABLE);
  CHECK(outcome.retryable);
  CHECK(outcome.error == "openai: upstream unavailable (HTTP 502): bad gateway");
  CHECK(host.http.request_count() == 3);
}

TEST_CASE("openai does not retry a rejected key and never shows it",
          "[plugins][providers][openai][scripted]") {
  ScriptedHost host(Secrets{{"openai_api_key", "sk-wrong-key"}});
  RawProvider provider(kTarget, host, quick());
  host.http.push(json_answer(401, {{"error",
                                    {{"message", "Incorrect API key provided: sk-wrong-key"},
                                     {"code", "invalid_api_key"}}}}));
  const Outcome outcome = provider.complete(request_input());
  CHECK(outcome.status == AGENT_ERR_UPSTREAM);
  CHECK_FALSE(outcome.retryable);
  CHECK(outcome.error == "openai: upstream rejected the API key (HTTP 401)");
  CHECK(host.http.request_count() == 1);
}

TEST_CASE("openai reports a bad request with the upstream's message and does not retry it",
          "[plugins][providers][openai][scripted]") {
  ScriptedHost host;
  RawProvider provider(kTarget, host, quick());
  host.http.push(json_answer(400, {{"error", {{"message", "Invalid value for 'temperature'"}}}}));
  const Outcome outcome = provider.complete(request_input());
  CHECK(outcome.status == AGENT_ERR_UPSTREAM);
  CHECK_FALSE(outcome.retryable);
  CHECK(outcome.error ==
        "openai: upstream refused the request (HTTP 400): Invalid value for 'temperature'");
  CHECK(host.http.request_count() == 1);
}

TEST_CASE("openai retries a stream cut before any output, but not one cut after output",
          "[plugins][providers][openai][scripted]") {
  ScriptedHost host;
  RawProvider provider(kTarget, host, quick());
  // Cut before any text: the peer closed early.
  ScriptedAnswer empty_cut = sse({{"", chunk({{"role", "assistant"}}).dump()}});
  empty_cut.transport_error = AGENT_ERR_UNAVAILABLE;
  empty_cut.error_text = "the peer closed the connection early";
  host.http.push(empty_cut);
  host.http.push(text_stream({"recovered"}));
  const Outcome first = provider.complete(request_input());
  REQUIRE(first.status == AGENT_OK);
  CHECK(first.streamed_text() == "recovered");
  CHECK(host.http.request_count() == 2);

  // Cut after text went out: fail, not retryable, nothing sent twice.
  host.http.push(sse({{"", chunk({{"content", "Half an ans"}}).dump()}}));  // no [DONE]
  host.http.push(text_stream({"never requested"}));
  const Outcome second = provider.complete(request_input());
  CHECK(second.status == AGENT_ERR_UPSTREAM);
  CHECK_FALSE(second.retryable);
  CHECK_THAT(second.error, Catch::Contains("ended before [DONE]"));
  CHECK_THAT(second.error, Catch::Contains("after part of the answer was streamed"));
  CHECK(second.streamed_text() == "Half an ans");
  CHECK(host.http.request_count() == 3);
}

TEST_CASE("openai in non-stream mode parses the whole answer and still emits it as deltas",
          "[plugins][providers][openai][scripted]") {
  ScriptedHost host;
  RawProvider provider(kTarget, host, quick({{"stream", false}, {"max_tokens", 99}}));
  host.http.push(json_answer(200, json::parse(R"({"model": "gpt-4o-2024-08-06",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Whole."}}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}})")));
  const Outcome outcome = provider.complete(request_input());
  REQUIRE(outcome.status == AGENT_OK);
  CHECK(outcome.result["message"]["content"] == "Whole.");
  CHECK(outcome.result["usage"]["total_tokens"] == 7);
  CHECK(outcome.streamed_text() == "Whole.");
  const auto request = host.http.requests().at(0);
  CHECK(request.body_json()["stream"] == false);
  CHECK(request.body_json()["max_tokens"] == 99);
  CHECK(request.headers.at("accept") == "application/json");
}

TEST_CASE("openai stops with CANCELLED when the host refuses a delta",
          "[plugins][providers][openai][scripted]") {
  ScriptedHost host;
  RawProvider provider(kTarget, host, quick());
  host.http.push(text_stream({"one", "two", "three"}));
  int seen = 0;
  const Outcome outcome =
      provider.complete(request_input(), [&](const json&) { return ++seen < 2; });
  CHECK(outcome.status == AGENT_ERR_CANCELLED);
  CHECK(seen == 2);
  CHECK(host.http.request_count() == 1);
}

TEST_CASE("openai cancelled while waiting to retry stops at once",
          "[plugins][providers][openai][scripted]") {
  ScriptedHost host;
  RawProvider provider(
      kTarget, host,
      {{"retry", {{"max_attempts", 3}, {"initial_backoff_ms", 5000}, {"max_backoff_ms", 5000}}}});
  host.http.push(json_answer(503, json::object(), {{"Retry-After", "5"}}));
  const uint64_t call_id = RawProvider::next_call_id();
  std::thread canceller([&] {
    while (host.http.request_count() == 0) std::this_thread::sleep_for(milliseconds(5));
    std::this_thread::sleep_for(milliseconds(30));
    provider.cancel(call_id);
  });
  const auto start = std::chrono::steady_clock::now();
  const Outcome outcome = provider.complete(request_input(), nullptr, 0, call_id);
  canceller.join();
  CHECK(outcome.status == AGENT_ERR_CANCELLED);
  CHECK(std::chrono::steady_clock::now() - start < milliseconds(2000));
  CHECK(host.http.request_count() == 1);
}

TEST_CASE("openai does not wait past the call's deadline to retry",
          "[plugins][providers][openai][scripted]") {
  ScriptedHost host;
  RawProvider provider(kTarget, host, {{"retry", {{"max_backoff_ms", 8000}}}});
  host.http.push(json_answer(503, json::object(), {{"Retry-After", "6"}}));
  const auto start = std::chrono::steady_clock::now();
  const Outcome outcome =
      provider.complete(request_input(), nullptr, unix_ms_from_now(milliseconds(500)));
  CHECK(outcome.status == AGENT_ERR_UNAVAILABLE);
  CHECK(std::chrono::steady_clock::now() - start < milliseconds(400));
  CHECK(host.http.request_count() == 1);
}

TEST_CASE("openai refuses bad input before calling the upstream",
          "[plugins][providers][openai][scripted]") {
  ScriptedHost host;
  RawProvider provider(kTarget, host, quick());
  const Outcome outcome = provider.complete({{"messages", json::array()}});
  CHECK(outcome.status == AGENT_ERR_INVALID_INPUT);
  CHECK(provider.complete(request_input(json::array({user("x")}), {{"temperature", 9}})).status ==
        AGENT_ERR_INVALID_INPUT);
  CHECK(host.http.request_count() == 0);
}

TEST_CASE("openai serves concurrent calls on one instance",
          "[plugins][providers][openai][scripted]") {
  ScriptedHost host;
  RawProvider provider(kTarget, host, quick());
  constexpr int kCalls = 8;
  for (int i = 0; i < kCalls; ++i) host.http.push(text_stream({"same"}));
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&] {
      const Outcome outcome = provider.complete(request_input());
      if (outcome.status == AGENT_OK && outcome.result["message"]["content"] == "same") ++ok;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(ok == kCalls);
}
