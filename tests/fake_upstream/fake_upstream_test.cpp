// The fake LLM upstream (tests/fake_upstream/server.js) speaks the OpenAI and Anthropic wire
// formats and produces each fault its directives promise. Plain Poco clients and raw sockets on
// the client side, so these tests do not depend on the host's own HTTP client.
#include "support/fake_upstream.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <agent_sdk/sse.hpp>
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace {

using agent_test::FakeUpstream;
using nlohmann::json;
using Headers = std::map<std::string, std::string>;
using Clock = std::chrono::steady_clock;

const Headers kOpenAiAuth = {{"Authorization", "Bearer sk-fake-test-key"}};
const Headers kAnthropicAuth = {{"x-api-key", "sk-fake-test-key"},
                                {"anthropic-version", "2023-06-01"}};

json openai_chat(const std::string& text, json extra = json::object()) {
  json body = {{"model", "gpt-test"}, {"messages", {{{"role", "user"}, {"content", text}}}}};
  body.update(extra);
  return body;
}

json anthropic_chat(const std::string& text, json extra = json::object()) {
  json body = {{"model", "claude-test"},
               {"max_tokens", 256},
               {"messages", {{{"role", "user"}, {"content", text}}}}};
  body.update(extra);
  return body;
}

long elapsed_ms(Clock::time_point since) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

struct Reply {
  int status = 0;
  Headers headers;
  std::string body;
  json json_body;    // null when the body is not JSON
  long head_ms = 0;  // time to the response head
};

Reply post(const FakeUpstream& fake, const std::string& path, const json& body,
           const Headers& headers) {
  auto session = fake.session();
  Poco::Net::HTTPRequest request("POST", path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : headers) request.set(name, value);
  const std::string text = body.dump();
  request.setContentType("application/json");
  request.setContentLength(static_cast<std::streamsize>(text.size()));
  const auto start = Clock::now();
  session->sendRequest(request) << text;
  Poco::Net::HTTPResponse response;
  std::istream& in = session->receiveResponse(response);
  Reply reply;
  reply.head_ms = elapsed_ms(start);
  reply.status = static_cast<int>(response.getStatus());
  for (const auto& [name, value] : response) reply.headers[name] = value;
  Poco::StreamCopier::copyToString(in, reply.body);
  reply.json_body = json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (reply.json_body.is_discarded()) reply.json_body = nullptr;
  return reply;
}

struct Streamed {
  int status = 0;
  Headers headers;
  std::vector<agent_sdk::SseEvent> events;
  std::vector<long> event_ms;  // arrival time of each event
  long head_ms = 0;
  bool timed_out = false;  // the read timeout passed with the stream still open
};

// Posts and reads the answer as server-sent events until the end of the body or `timeout_ms`
// without a byte.
Streamed post_stream(const FakeUpstream& fake, const std::string& path, const json& body,
                     const Headers& headers, long timeout_ms = 10000) {
  auto session = fake.session();
  session->setTimeout(Poco::Timespan(timeout_ms * 1000));
  Poco::Net::HTTPRequest request("POST", path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : headers) request.set(name, value);
  const std::string text = body.dump();
  request.setContentType("application/json");
  request.setContentLength(static_cast<std::streamsize>(text.size()));
  const auto start = Clock::now();
  session->sendRequest(request) << text;
  Poco::Net::HTTPResponse response;
  std::istream& in = session->receiveResponse(response);
  Streamed out;
  out.head_ms = elapsed_ms(start);
  out.status = static_cast<int>(response.getStatus());
  for (const auto& [name, value] : response) out.headers[name] = value;
  agent_sdk::SseParser parser;
  in.exceptions(std::ios::badbit);  // rethrows the session's TimeoutException
  try {
    for (char c; in.get(c);) {
      parser.feed(std::string_view(&c, 1), [&](const agent_sdk::SseEvent& event) {
        out.events.push_back(event);
        out.event_ms.push_back(elapsed_ms(start));
        return true;
      });
    }
  } catch (const Poco::TimeoutException&) {
    out.timed_out = true;
  }
  return out;
}

// The JSON of every event but OpenAI's final "[DONE]".
std::vector<json> json_events(const Streamed& streamed) {
  std::vector<json> out;
  for (const auto& event : streamed.events) {
    if (event.data != "[DONE]") out.push_back(json::parse(event.data));
  }
  return out;
}

std::string openai_text(const Streamed& streamed) {
  std::string text;
  for (const auto& chunk : json_events(streamed)) {
    for (const auto& choice : chunk["choices"]) {
      if (choice["delta"].contains("content") && choice["delta"]["content"].is_string()) {
        text += choice["delta"]["content"].get<std::string>();
      }
    }
  }
  return text;
}

struct Call {
  std::string id;
  std::string name;
  std::string arguments;
};

// Reassembles OpenAI tool_call deltas the robust way: a delta with a new id starts a new call
// even when its index was used before (servers that send every call with index 0).
std::vector<Call> openai_calls(const Streamed& streamed, std::vector<int>* indexes = nullptr) {
  std::vector<Call> calls;
  std::map<int, std::size_t> by_index;
  for (const auto& chunk : json_events(streamed)) {
    for (const auto& choice : chunk["choices"]) {
      if (!choice["delta"].contains("tool_calls")) continue;
      for (const auto& delta : choice["delta"]["tool_calls"]) {
        const int index = delta["index"].get<int>();
        if (indexes) indexes->push_back(index);
        const bool fresh = delta.contains("id") &&
                           (!by_index.count(index) || calls[by_index[index]].id != delta["id"]);
        if (fresh) {
          by_index[index] = calls.size();
          calls.push_back({delta["id"].get<std::string>(), "", ""});
        }
        Call& call = calls.at(by_index.at(index));
        if (delta.contains("function")) {
          const auto& function = delta["function"];
          if (function.contains("name")) call.name += function["name"].get<std::string>();
          if (function.contains("arguments")) {
            call.arguments += function["arguments"].get<std::string>();
          }
        }
      }
    }
  }
  return calls;
}

// What a raw socket saw: every read separately, so packet boundaries stay visible.
struct Raw {
  std::string bytes;
  std::vector<std::size_t> reads;
  bool timed_out = false;
};

Raw raw_post(int port, const std::string& path, const json& body, const Headers& headers) {
  const std::string text = body.dump();
  std::string request =
      "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
      "Content-Type: application/json\r\nContent-Length: " + std::to_string(text.size()) +
      "\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n" + text;
  Poco::Net::StreamSocket socket(
      Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
  socket.setReceiveTimeout(Poco::Timespan(10, 0));
  socket.sendBytes(request.data(), static_cast<int>(request.size()));
  Raw raw;
  char buffer[65536];
  try {
    for (int n; (n = socket.receiveBytes(buffer, sizeof(buffer))) > 0;) {
      raw.bytes.append(buffer, static_cast<std::size_t>(n));
      raw.reads.push_back(static_cast<std::size_t>(n));
    }
  } catch (const Poco::TimeoutException&) {
    raw.timed_out = true;
  } catch (const Poco::Net::NetException&) {  // reset by peer counts as the end
  }
  return raw;
}

// The chunks of a chunked HTTP body, and whether the terminating zero-size chunk came.
struct Chunks {
  std::vector<std::string> chunks;
  bool terminated = false;
  std::string body() const {
    std::string all;
    for (const auto& chunk : chunks) all += chunk;
    return all;
  }
};

Chunks dechunk(const std::string& http) {
  Chunks out;
  std::size_t at = http.find("\r\n\r\n");
  REQUIRE(at != std::string::npos);
  at += 4;
  while (at < http.size()) {
    const std::size_t eol = http.find("\r\n", at);
    if (eol == std::string::npos) break;
    const std::size_t size = std::stoul(http.substr(at, eol - at), nullptr, 16);
    if (size == 0) {
      out.terminated = true;
      break;
    }
    if (eol + 2 + size > http.size()) {
      out.chunks.push_back(http.substr(eol + 2));  // cut inside a chunk
      break;
    }
    out.chunks.push_back(http.substr(eol + 2, size));
    at = eol + 2 + size + 2;
  }
  return out;
}

std::vector<agent_sdk::SseEvent> parse_events(const std::string& body) {
  std::vector<agent_sdk::SseEvent> events;
  agent_sdk::SseParser parser;
  parser.feed(body, [&](const agent_sdk::SseEvent& event) {
    events.push_back(event);
    return true;
  });
  return events;
}

// Waits until `predicate(stats)` holds (the server updates counters asynchronously).
template <typename Predicate>
json wait_for_stats(const FakeUpstream& fake, Predicate predicate) {
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  json stats = fake.stats();
  while (!predicate(stats) && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stats = fake.stats();
  }
  return stats;
}

}  // namespace

TEST_CASE("OpenAI stream: word deltas reassemble to the echo, then a usage chunk and [DONE]") {
  FakeUpstream fake;
  const std::string text = "hello streaming world";
  const auto streamed =
      post_stream(fake, "/v1/chat/completions",
                  openai_chat(text, {{"stream", true},
                                     {"stream_options", {{"include_usage", true}}},
                                     {"model", "gpt-echo-me"}}),
                  kOpenAiAuth);
  REQUIRE(streamed.status == 200);
  CHECK(streamed.headers.at("Content-Type").rfind("text/event-stream", 0) == 0);
  CHECK(streamed.headers.at("Transfer-Encoding") == "chunked");
  REQUIRE(streamed.events.size() >= 4);
  CHECK(streamed.events.back().data == "[DONE]");
  CHECK(openai_text(streamed) == "Echo: hello streaming world");

  const auto chunks = json_events(streamed);
  for (const auto& chunk : chunks) {
    CHECK(chunk["object"] == "chat.completion.chunk");
    CHECK(chunk["model"] == "gpt-echo-me");
    CHECK(chunk["id"] == chunks.front()["id"]);
    CHECK(chunk.contains("usage"));  // null except in the last chunk, as include_usage says
  }
  CHECK(chunks.front()["choices"][0]["delta"]["role"] == "assistant");
  const json& finish = chunks[chunks.size() - 2];
  CHECK(finish["choices"][0]["finish_reason"] == "stop");
  CHECK(finish["usage"].is_null());
  const json& last = chunks.back();
  CHECK(last["choices"] == json::array());
  // prompt_tokens = ceil(characters / 4); completion_tokens = number of deltas.
  CHECK(last["usage"]["prompt_tokens"] == (text.size() + 3) / 4);
  CHECK(last["usage"]["completion_tokens"] == 4);  // "Echo:", " hello", " streaming", " world"
  CHECK(last["usage"]["total_tokens"] == (text.size() + 3) / 4 + 4);
}

TEST_CASE("OpenAI stream without include_usage has no usage chunk and no usage fields") {
  FakeUpstream fake;
  const auto streamed =
      post_stream(fake, "/v1/chat/completions", openai_chat("hi", {{"stream", true}}), kOpenAiAuth);
  REQUIRE(streamed.events.back().data == "[DONE]");
  for (const auto& chunk : json_events(streamed)) {
    CHECK_FALSE(chunk.contains("usage"));
    CHECK(chunk["choices"].size() == 1);
  }
}

TEST_CASE("OpenAI non-stream: a chat.completion with the echo, the model echoed and usage") {
  FakeUpstream fake;
  const auto reply = post(fake, "/v1/chat/completions",
                          json{{"model", "gpt-x"},
                               {"messages",
                                {{{"role", "system"}, {"content", "Be brief."}},
                                 {{"role", "user"}, {"content", "what [[words:3]] now"}}}}},
                          kOpenAiAuth);
  REQUIRE(reply.status == 200);
  const json& body = reply.json_body;
  CHECK(body["object"] == "chat.completion");
  CHECK(body["model"] == "gpt-x");
  CHECK(body["choices"][0]["message"]["role"] == "assistant");
  CHECK(body["choices"][0]["message"]["content"] == "lorem ipsum dolor");
  CHECK(body["choices"][0]["finish_reason"] == "stop");
  // "Be brief." (9) + "what [[words:3]] now" (20): the directives count as sent.
  CHECK(body["usage"]["prompt_tokens"] == 8);
  CHECK(body["usage"]["completion_tokens"] == 3);
  CHECK(reply.headers.count("x-request-id") == 1);
}

TEST_CASE("max_tokens cuts the answer: finish_reason length / stop_reason max_tokens") {
  FakeUpstream fake;
  const auto openai = post(fake, "/v1/chat/completions",
                           openai_chat("one two three four", {{"max_tokens", 2}}), kOpenAiAuth);
  CHECK(openai.json_body["choices"][0]["message"]["content"] == "Echo: one");
  CHECK(openai.json_body["choices"][0]["finish_reason"] == "length");
  const auto anthropic = post(fake, "/v1/messages",
                              anthropic_chat("one two three", {{"max_tokens", 3}}), kAnthropicAuth);
  CHECK(anthropic.json_body["content"][0]["text"] == "Echo: one two");
  CHECK(anthropic.json_body["stop_reason"] == "max_tokens");
}

TEST_CASE("OpenAI tool_call deltas reassemble into parallel calls, arguments over several chunks") {
  FakeUpstream fake;
  const json tools = json::parse(R"([{"type": "function", "function": {"name": "get_weather",
      "parameters": {"type": "object"}}}, {"type": "function", "function": {"name": "get_time"}}])");
  const std::string text =
      R"(Weather? [[tool:get_weather:{"city": "Paris", "days": [1, 2]}]][[tool:get_time:{"tz":"CET"}]])";

  SECTION("indexes 0, 1, ...") {
    std::vector<int> indexes;
    const auto streamed =
        post_stream(fake, "/v1/chat/completions",
                    openai_chat(text, {{"stream", true}, {"tools", tools}}), kOpenAiAuth);
    const auto calls = openai_calls(streamed, &indexes);
    REQUIRE(calls.size() == 2);
    CHECK(calls[0].name == "get_weather");
    CHECK(json::parse(calls[0].arguments) == json::parse(R"({"city": "Paris", "days": [1, 2]})"));
    CHECK(calls[1].name == "get_time");
    CHECK(json::parse(calls[1].arguments) == json{{"tz", "CET"}});
    CHECK(calls[0].id.rfind("call_", 0) == 0);
    CHECK(calls[0].id != calls[1].id);
    CHECK(std::count(indexes.begin(), indexes.end(), 0) >= 3);  // a head and >= 2 argument pieces
    CHECK(std::count(indexes.begin(), indexes.end(), 1) >= 3);
    const auto chunks = json_events(streamed);
    CHECK(chunks.back()["choices"][0]["finish_reason"] == "tool_calls");
    CHECK(streamed.events.back().data == "[DONE]");
  }
  SECTION("[[tool_index0]]: every call with index 0, told apart by a new id") {
    std::vector<int> indexes;
    const auto streamed = post_stream(
        fake, "/v1/chat/completions",
        openai_chat(text + "[[tool_index0]]", {{"stream", true}, {"tools", tools}}), kOpenAiAuth);
    const auto calls = openai_calls(streamed, &indexes);
    CHECK(std::all_of(indexes.begin(), indexes.end(), [](int i) { return i == 0; }));
    REQUIRE(calls.size() == 2);
    CHECK(calls[0].name == "get_weather");
    CHECK(calls[1].name == "get_time");
    CHECK(json::parse(calls[1].arguments) == json{{"tz", "CET"}});
  }
  SECTION("non-stream: message.tool_calls with the arguments as a JSON string") {
    const auto reply =
        post(fake, "/v1/chat/completions", openai_chat(text, {{"tools", tools}}), kOpenAiAuth);
    const json& message = reply.json_body["choices"][0]["message"];
    CHECK(message["content"].is_null());
    REQUIRE(message["tool_calls"].size() == 2);
    CHECK(message["tool_calls"][0]["type"] == "function");
    CHECK(message["tool_calls"][0]["function"]["name"] == "get_weather");
    CHECK(json::parse(message["tool_calls"][0]["function"]["arguments"].get<std::string>()) ==
          json::parse(R"({"city": "Paris", "days": [1, 2]})"));
    CHECK(reply.json_body["choices"][0]["finish_reason"] == "tool_calls");
  }
  SECTION("without tools in the request there is no tool call, only text") {
    const auto reply = post(fake, "/v1/chat/completions", openai_chat(text), kOpenAiAuth);
    CHECK(reply.json_body["choices"][0]["message"]["content"] == "Echo: Weather?");
  }
}

TEST_CASE("After a tool result the fake answers with the tool's content, so tool loops end") {
  FakeUpstream fake;
  const json body = json::parse(R"({"model": "gpt-test", "tools": [{"type": "function",
      "function": {"name": "get_weather"}}], "messages": [
      {"role": "user", "content": "[[tool:get_weather:{\"city\":\"Paris\"}]] Weather?"},
      {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
        "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
      {"role": "tool", "tool_call_id": "call_1", "content": "22 C and sunny"}]})");
  const auto reply = post(fake, "/v1/chat/completions", body, kOpenAiAuth);
  CHECK(reply.json_body["choices"][0]["message"]["content"] == "Tool said: 22 C and sunny");
  CHECK(reply.json_body["choices"][0]["finish_reason"] == "stop");
}

TEST_CASE("Azure deployment path: api-key header, api-version required, deployment as model") {
  FakeUpstream fake;
  const std::string path = "/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21";
  json body = openai_chat("hi");
  body.erase("model");
  const auto ok = post(fake, path, body, {{"api-key", "sk-fake-test-key"}});
  CHECK(ok.status == 200);
  CHECK(ok.json_body["model"] == "my-gpt");
  CHECK(ok.json_body["choices"][0]["message"]["content"] == "Echo: hi");
  const auto bad = post(fake, path, body, {{"api-key", "wrong"}});
  CHECK(bad.status == 401);
  CHECK(bad.json_body["error"]["message"].is_string());
  const auto no_version = post(fake, "/openai/deployments/my-gpt/chat/completions", body,
                               {{"api-key", "sk-fake-test-key"}});
  CHECK(no_version.status == 404);
}

TEST_CASE("A wrong or missing key is 401 with each API's error body") {
  FakeUpstream fake;
  const auto openai =
      post(fake, "/v1/chat/completions", openai_chat("hi"), {{"Authorization", "Bearer sk-wrong"}});
  CHECK(openai.status == 401);
  const json& error = openai.json_body["error"];
  CHECK(error["type"] == "invalid_request_error");
  CHECK(error["code"] == "invalid_api_key");
  CHECK(error["message"].is_string());
  CHECK(error.contains("param"));
  CHECK(post(fake, "/v1/chat/completions", openai_chat("hi"), {}).status == 401);

  const auto anthropic = post(fake, "/v1/messages", anthropic_chat("hi"),
                              {{"x-api-key", "wrong"}, {"anthropic-version", "2023-06-01"}});
  CHECK(anthropic.status == 401);
  CHECK(anthropic.json_body["type"] == "error");
  CHECK(anthropic.json_body["error"]["type"] == "authentication_error");

  FakeUpstream custom(FakeUpstream::Options{false, "sk-other"});
  CHECK(post(custom, "/v1/chat/completions", openai_chat("hi"), kOpenAiAuth).status == 401);
  CHECK(post(custom, "/v1/chat/completions", openai_chat("hi"),
             {{"Authorization", "Bearer sk-other"}})
            .status == 200);
}

TEST_CASE("Anthropic requires anthropic-version and max_tokens (400 invalid_request_error)") {
  FakeUpstream fake;
  const auto no_version =
      post(fake, "/v1/messages", anthropic_chat("hi"), {{"x-api-key", "sk-fake-test-key"}});
  CHECK(no_version.status == 400);
  CHECK(no_version.json_body["error"]["type"] == "invalid_request_error");
  json body = anthropic_chat("hi");
  body.erase("max_tokens");
  const auto no_max = post(fake, "/v1/messages", body, kAnthropicAuth);
  CHECK(no_max.status == 400);
  CHECK(no_max.json_body["error"]["type"] == "invalid_request_error");
  CHECK(no_max.json_body["error"]["message"].get<std::string>().find("max_tokens") !=
        std::string::npos);
}

TEST_CASE("[[status:429]][[times:1]]: 429 with Retry-After 1, then the same message succeeds") {
  FakeUpstream fake;
  const auto body = openai_chat("[[status:429]][[times:1]] retry me", {{"stream", true}});
  const auto first = post(fake, "/v1/chat/completions", body, kOpenAiAuth);
  CHECK(first.status == 429);
  CHECK(first.headers.at("Retry-After") == "1");
  CHECK(first.json_body["error"]["code"] == "rate_limit_exceeded");
  const auto second = post_stream(fake, "/v1/chat/completions", body, kOpenAiAuth);
  CHECK(second.status == 200);
  CHECK(openai_text(second) == "Echo: retry me");
  // The counter is per message text: another text faults again.
  CHECK(post(fake, "/v1/chat/completions", openai_chat("[[status:429]][[times:1]] other"),
             kOpenAiAuth)
            .status == 429);
  // /_reset forgets the counters.
  fake.reset();
  CHECK(post(fake, "/v1/chat/completions", body, kOpenAiAuth).status == 429);
}

TEST_CASE("Status faults carry each API's error body, Retry-After on 429/503 unless overridden") {
  FakeUpstream fake;
  const auto s500 = post(fake, "/v1/chat/completions", openai_chat("[[status:500]]"), kOpenAiAuth);
  CHECK(s500.status == 500);
  CHECK(s500.json_body["error"]["type"] == "server_error");
  CHECK(s500.headers.count("Retry-After") == 0);
  const auto s503 = post(fake, "/v1/chat/completions",
                         openai_chat("[[status:503]][[retry_after:7]]"), kOpenAiAuth);
  CHECK(s503.status == 503);
  CHECK(s503.headers.at("Retry-After") == "7");
  const auto no_retry = post(fake, "/v1/chat/completions",
                             openai_chat("[[status:429]][[retry_after:0]]"), kOpenAiAuth);
  CHECK(no_retry.status == 429);
  CHECK(no_retry.headers.count("Retry-After") == 0);
  // 529 over a raw socket: Poco's HTTPResponse::getStatus() loads it into an enum whose range
  // ends at 511, which UBSan rightly reports.
  const Raw s529 =
      raw_post(fake.port(), "/v1/messages", anthropic_chat("[[status:529]]"), kAnthropicAuth);
  CHECK(s529.bytes.rfind("HTTP/1.1 529 Overloaded\r\n", 0) == 0);
  const json s529_body = json::parse(s529.bytes.substr(s529.bytes.find("\r\n\r\n") + 4));
  CHECK(s529_body["type"] == "error");
  CHECK(s529_body["error"]["type"] == "overloaded_error");
  const auto a429 = post(fake, "/v1/messages", anthropic_chat("[[status:429]]", {{"stream", true}}),
                         kAnthropicAuth);
  CHECK(a429.status == 429);
  CHECK(a429.headers.at("Retry-After") == "1");
  CHECK(a429.json_body["error"]["type"] == "rate_limit_error");
}

TEST_CASE("A malformed directive is a 400 naming it, so test mistakes are loud") {
  FakeUpstream fake;
  const auto reply = post(fake, "/v1/chat/completions", openai_chat("[[status:abc]]"), kOpenAiAuth);
  CHECK(reply.status == 400);
  CHECK(reply.json_body["error"]["message"].get<std::string>().find("status") != std::string::npos);
}

TEST_CASE("[[stall]]: the head and the first delta arrive, then nothing until the client leaves") {
  FakeUpstream fake;
  const auto streamed =
      post_stream(fake, "/v1/chat/completions", openai_chat("[[stall]] a b c", {{"stream", true}}),
                  kOpenAiAuth, /*timeout_ms=*/400);
  CHECK(streamed.status == 200);
  CHECK(streamed.timed_out);
  CHECK(openai_text(streamed) == "Echo:");
  CHECK(streamed.events.back().data != "[DONE]");
  // The session is gone: the server sees the client close before the response finished.
  const json stats = wait_for_stats(fake, [](const json& s) { return s["client_aborts"] == 1; });
  CHECK(stats["client_aborts"] == 1);
  CHECK(stats["in_flight"] == 0);
}

TEST_CASE("[[cut]]: a few deltas, then the socket closes without the terminating chunk") {
  FakeUpstream fake;
  SECTION("OpenAI") {
    const Raw raw = raw_post(fake.port(), "/v1/chat/completions",
                             openai_chat("[[cut]] a b c d e f", {{"stream", true}}), kOpenAiAuth);
    CHECK_FALSE(raw.timed_out);
    const Chunks chunks = dechunk(raw.bytes);
    CHECK_FALSE(chunks.terminated);
    const auto events = parse_events(chunks.body());
    CHECK(events.size() >= 2);
    CHECK(chunks.body().find("[DONE]") == std::string::npos);
    CHECK(chunks.body().find("finish_reason\":\"stop") == std::string::npos);
  }
  SECTION("Anthropic") {
    const Raw raw =
        raw_post(fake.port(), "/v1/messages",
                 anthropic_chat("[[cut]] a b c d e f", {{"stream", true}}), kAnthropicAuth);
    const Chunks chunks = dechunk(raw.bytes);
    CHECK_FALSE(chunks.terminated);
    CHECK(chunks.body().find("text_delta") != std::string::npos);
    CHECK(chunks.body().find("message_stop") == std::string::npos);
  }
  // Cut by the server, not aborted by the client.
  CHECK(fake.stats()["client_aborts"] == 0);
}

TEST_CASE("[[malformed]]: invalid JSON in a stream's data line, or as a 200 body") {
  FakeUpstream fake;
  const auto streamed =
      post_stream(fake, "/v1/chat/completions",
                  openai_chat("[[malformed]] a b", {{"stream", true}}), kOpenAiAuth);
  int invalid = 0;
  for (const auto& event : streamed.events) {
    if (event.data != "[DONE]" && json::parse(event.data, nullptr, false).is_discarded()) {
      ++invalid;
    }
  }
  CHECK(invalid == 1);
  const auto body = post(fake, "/v1/chat/completions", openai_chat("[[malformed]]"), kOpenAiAuth);
  CHECK(body.status == 200);
  CHECK(body.headers.at("Content-Type") == "application/json");
  CHECK(body.json_body.is_null());
  const auto anthropic =
      post_stream(fake, "/v1/messages", anthropic_chat("[[malformed]] a b", {{"stream", true}}),
                  kAnthropicAuth);
  invalid = 0;
  for (const auto& event : anthropic.events) {
    if (json::parse(event.data, nullptr, false).is_discarded()) ++invalid;
  }
  CHECK(invalid == 1);
}

TEST_CASE("[[split]]: the stream comes in 1..7-byte pieces that cut events and UTF-8 characters") {
  FakeUpstream fake;
  const Raw raw =
      raw_post(fake.port(), "/v1/chat/completions",
               openai_chat("[[split]][[seed:42]] short", {{"stream", true}}), kOpenAiAuth);
  const Chunks chunks = dechunk(raw.bytes);
  REQUIRE(chunks.terminated);
  // Each piece is its own write, so its own HTTP chunk, whatever the socket coalesced.
  CHECK(chunks.chunks.size() > 20);
  CHECK(std::all_of(chunks.chunks.begin(), chunks.chunks.end(),
                    [](const std::string& c) { return !c.empty() && c.size() <= 7; }));
  // A piece ending inside a multi-byte character (the answer carries "é" and "€").
  const bool cuts_a_character =
      std::any_of(chunks.chunks.begin(), chunks.chunks.end() - 1, [](const std::string& c) {
        const auto last = static_cast<unsigned char>(c.back());
        return last >= 0xC0 ||  // a lead byte, then a gap
               (last >= 0x80 && c.size() == 1);
      });
  CHECK(cuts_a_character);
  CHECK(raw.reads.size() > 20);  // and they did travel as separate packets

  Streamed parsed;
  for (auto& event : parse_events(chunks.body())) parsed.events.push_back(event);
  CHECK(openai_text(parsed) == "Echo: short café €");
  CHECK(parsed.events.back().data == "[DONE]");
}

TEST_CASE("[[delay]] holds the head, [[answer_ms]] spreads the deltas over the given time") {
  FakeUpstream fake;
  const auto delayed =
      post(fake, "/v1/chat/completions", openai_chat("[[delay:300]] hi"), kOpenAiAuth);
  CHECK(delayed.status == 200);
  CHECK(delayed.head_ms >= 290);

  const auto spread =
      post_stream(fake, "/v1/chat/completions",
                  openai_chat("[[words:4]][[answer_ms:400]]", {{"stream", true}}), kOpenAiAuth);
  CHECK(spread.head_ms < 300);  // the head comes at once, the words over 400 ms
  CHECK(openai_text(spread) == "lorem ipsum dolor sit");
  CHECK(spread.event_ms.back() >= 390);
  CHECK(spread.event_ms.back() < 3000);

  const auto chunked =
      post_stream(fake, "/v1/chat/completions",
                  openai_chat("[[words:3]][[chunk_delay:100]]", {{"stream", true}}), kOpenAiAuth);
  CHECK(chunked.event_ms.back() >= 290);
}

TEST_CASE("[[stream_error]]: an error event inside a 200 stream, in each API's shape") {
  FakeUpstream fake;
  const auto anthropic =
      post_stream(fake, "/v1/messages",
                  anthropic_chat("[[stream_error]] a b c", {{"stream", true}}), kAnthropicAuth);
  REQUIRE_FALSE(anthropic.events.empty());
  CHECK(anthropic.events.back().event == "error");
  const json error = json::parse(anthropic.events.back().data);
  CHECK(error["type"] == "error");
  CHECK(error["error"]["type"] == "overloaded_error");
  const auto openai =
      post_stream(fake, "/v1/chat/completions",
                  openai_chat("[[stream_error]] a b c", {{"stream", true}}), kOpenAiAuth);
  REQUIRE_FALSE(openai.events.empty());
  CHECK(json::parse(openai.events.back().data)["error"]["type"] == "server_error");
}

TEST_CASE("Anthropic stream: the Messages event sequence, and text deltas reassemble") {
  FakeUpstream fake;
  const auto streamed =
      post_stream(fake, "/v1/messages",
                  anthropic_chat("hello claude", {{"stream", true}, {"system", "You are terse."}}),
                  kAnthropicAuth);
  REQUIRE(streamed.status == 200);
  std::vector<std::string> names;
  std::string text;
  for (const auto& event : streamed.events) {
    const json data = json::parse(event.data);
    CHECK(data["type"] == event.event);  // the event name and the data's type agree
    if (names.empty() || names.back() != event.event) names.push_back(event.event);
    if (event.event == "content_block_delta") {
      CHECK(data["delta"]["type"] == "text_delta");
      text += data["delta"]["text"].get<std::string>();
    }
  }
  CHECK(names == std::vector<std::string>{"message_start", "content_block_start", "ping",
                                          "content_block_delta", "content_block_stop",
                                          "message_delta", "message_stop"});
  CHECK(text == "Echo: hello claude");
  const json start = json::parse(streamed.events.front().data);
  CHECK(start["message"]["model"] == "claude-test");
  CHECK(start["message"]["role"] == "assistant");
  CHECK(start["message"]["usage"]["input_tokens"] == 7);  // ceil((14 + 12) / 4): system counts
  const json delta = json::parse(streamed.events[streamed.events.size() - 2].data);
  CHECK(delta["delta"]["stop_reason"] == "end_turn");
  CHECK(delta["usage"]["output_tokens"] == 3);
}

TEST_CASE("Anthropic tool_use: input_json_delta pieces reassemble, stop_reason tool_use") {
  FakeUpstream fake;
  const json tools = json::parse(R"([{"name": "lookup", "input_schema": {"type": "object"}}])");
  const std::string text = R"([[tool:lookup:{"query": "naïve café", "limit": 5}]] find it)";
  const json expected = json::parse(R"({"query": "naïve café", "limit": 5})");

  const auto streamed =
      post_stream(fake, "/v1/messages", anthropic_chat(text, {{"stream", true}, {"tools", tools}}),
                  kAnthropicAuth);
  std::string partial;
  int pieces = 0;
  std::string stop_reason;
  for (const auto& event : streamed.events) {
    const json data = json::parse(event.data);
    if (event.event == "content_block_start") {
      CHECK(data["content_block"]["type"] == "tool_use");
      CHECK(data["content_block"]["name"] == "lookup");
      CHECK(data["content_block"]["id"].get<std::string>().rfind("toolu_", 0) == 0);
    }
    if (event.event == "content_block_delta") {
      CHECK(data["delta"]["type"] == "input_json_delta");
      partial += data["delta"]["partial_json"].get<std::string>();
      ++pieces;
    }
    if (event.event == "message_delta") stop_reason = data["delta"]["stop_reason"];
  }
  CHECK(pieces >= 3);
  CHECK(json::parse(partial) == expected);
  CHECK(stop_reason == "tool_use");

  const auto whole =
      post(fake, "/v1/messages", anthropic_chat(text, {{"tools", tools}}), kAnthropicAuth);
  REQUIRE(whole.json_body["content"].size() == 1);
  CHECK(whole.json_body["content"][0]["type"] == "tool_use");
  CHECK(whole.json_body["content"][0]["input"] == expected);
  CHECK(whole.json_body["stop_reason"] == "tool_use");

  // The tool_result turn ends the loop.
  json loop = anthropic_chat(text, {{"tools", tools}});
  loop["messages"].push_back({{"role", "assistant"}, {"content", whole.json_body["content"]}});
  loop["messages"].push_back({{"role", "user"},
                              {"content",
                               {{{"type", "tool_result"},
                                 {"tool_use_id", whole.json_body["content"][0]["id"]},
                                 {"content", {{{"type", "text"}, {"text", "3 results"}}}}}}}});
  const auto answer = post(fake, "/v1/messages", loop, kAnthropicAuth);
  CHECK(answer.json_body["content"][0]["text"] == "Tool said: 3 results");
  CHECK(answer.json_body["stop_reason"] == "end_turn");
}

TEST_CASE("Anthropic non-stream: a message with a text block and usage") {
  FakeUpstream fake;
  const auto reply =
      post(fake, "/v1/messages", anthropic_chat("[[reply:Bonjour à tous]]"), kAnthropicAuth);
  REQUIRE(reply.status == 200);
  const json& body = reply.json_body;
  CHECK(body["type"] == "message");
  CHECK(body["role"] == "assistant");
  CHECK(body["model"] == "claude-test");
  CHECK(body["id"].get<std::string>().rfind("msg_", 0) == 0);
  CHECK(body["content"] == json::parse(R"([{"type": "text", "text": "Bonjour à tous"}])"));
  CHECK(body["stop_reason"] == "end_turn");
  CHECK(body["stop_sequence"].is_null());
  CHECK(body["usage"]["output_tokens"] == 3);
  CHECK(reply.headers.count("request-id") == 1);
}

TEST_CASE("Control endpoints: /_stats counts, /_requests keeps the last requests, /_reset zeroes") {
  FakeUpstream fake;
  post(fake, "/v1/chat/completions", openai_chat("first"), kOpenAiAuth);
  post(fake, "/v1/messages", anthropic_chat("second"), kAnthropicAuth);
  post(fake, "/v1/chat/completions", openai_chat("third"), {{"Authorization", "Bearer bad"}});
  const json stats = fake.stats();
  CHECK(stats["requests"] == 3);
  CHECK(stats["by_path"]["/v1/chat/completions"] == 2);
  CHECK(stats["by_path"]["/v1/messages"] == 1);
  CHECK(stats["in_flight"] == 0);
  CHECK(stats["client_aborts"] == 0);
  CHECK(stats["open_connections"].get<int>() >= 1);

  const json last = fake.requests(2);
  REQUIRE(last.size() == 2);
  CHECK(last[0]["path"] == "/v1/messages");
  CHECK(last[0]["method"] == "POST");
  CHECK(last[0]["headers"]["anthropic-version"] == "2023-06-01");
  CHECK(last[0]["body"]["messages"][0]["content"] == "second");
  CHECK(last[1]["body"]["messages"][0]["content"] == "third");
  CHECK(fake.requests(10).size() == 3);

  fake.reset();
  CHECK(fake.stats()["requests"] == 0);
  CHECK(fake.requests(10).empty());
}

TEST_CASE("HTTPS mode serves the same API with the test certificate") {
  FakeUpstream fake(FakeUpstream::Options{true, "sk-fake-test-key"});
  CHECK(fake.base_url().rfind("https://127.0.0.1:", 0) == 0);
  const auto streamed = post_stream(fake, "/v1/chat/completions",
                                    openai_chat("over tls", {{"stream", true}}), kOpenAiAuth);
  CHECK(streamed.status == 200);
  CHECK(openai_text(streamed) == "Echo: over tls");
  CHECK(fake.stats()["requests"] == 1);  // the control calls speak TLS too
  // A plain-HTTP client gets no answer from the TLS port.
  Poco::Net::HTTPClientSession plain("127.0.0.1", static_cast<Poco::UInt16>(fake.port()));
  plain.setTimeout(Poco::Timespan(2, 0));
  Poco::Net::HTTPRequest request("GET", "/_stats", Poco::Net::HTTPMessage::HTTP_1_1);
  Poco::Net::HTTPResponse response;
  CHECK_THROWS([&] {
    plain.sendRequest(request);
    plain.receiveResponse(response);
  }());
}

TEST_CASE("The launcher stops its server: the port refuses connections after destruction") {
  int port = 0;
  {
    FakeUpstream fake;
    port = fake.port();
    CHECK(fake.base_url() == "http://127.0.0.1:" + std::to_string(port));
    CHECK(fake.stats()["requests"] == 0);
  }
  Poco::Net::StreamSocket socket;
  CHECK_THROWS_AS(
      socket.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port))),
      Poco::Net::ConnectionRefusedException);
}

TEST_CASE("The launcher throws with the server's stderr when it exits before listening") {
  // A `node` on PATH that fails at once stands in for a server that cannot start.
  agent_test::TempDir dir;
  const auto node =
      dir.write("node", "#!/bin/sh\necho 'cannot read the certificate' >&2\nexit 3\n");
  std::filesystem::permissions(node, std::filesystem::perms::owner_all);
  const std::string saved_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", dir.path().c_str(), 1);
  std::string message;
  try {
    FakeUpstream fake({.tls = true});
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  ::setenv("PATH", saved_path.c_str(), 1);
  CHECK(message.find("exited before it was listening") != std::string::npos);
  CHECK(message.find("cannot read the certificate") != std::string::npos);
}

TEST_CASE("Many concurrent streams are served at once (no per-connection limit)") {
  FakeUpstream fake;
  // The answers last long enough that every request is in flight at once even when opening the
  // connections is slow (a loaded CI machine, the ASan build).
  constexpr int kConnections = 300;
  const json body = openai_chat("[[words:2]][[answer_ms:6000]]", {{"stream", true}});
  std::vector<std::unique_ptr<Poco::Net::HTTPClientSession>> sessions;
  std::vector<std::istream*> streams;
  for (int i = 0; i < kConnections; ++i) {
    sessions.push_back(fake.session());
    Poco::Net::HTTPRequest request("POST", "/v1/chat/completions",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : kOpenAiAuth) request.set(name, value);
    const std::string text = body.dump();
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(text.size()));
    sessions.back()->sendRequest(request) << text << std::flush;  // Poco buffers until flushed
  }
  const json stats =
      wait_for_stats(fake, [&](const json& s) { return s["in_flight"] == kConnections; });
  CHECK(stats["in_flight"] == kConnections);
  CHECK(stats["open_connections"].get<int>() >= kConnections);
  int complete = 0;
  for (auto& session : sessions) {
    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    std::string all;
    Poco::StreamCopier::copyToString(in, all);
    if (all.find("[DONE]") != std::string::npos) ++complete;
  }
  CHECK(complete == kConnections);
}
