// End-to-end harness for the network providers: agents whose provider is the real openai or
// anthropic plugin pointed at the fake upstream (tests/fake_upstream/server.js), served by an
// in-process host whose secrets hold the fake's key, driven through the host's real HTTP API.
// Every request is bounded by the client's socket timeout, so a hang fails instead of blocking.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "support/fake_upstream.h"
#include "support/sse_client.h"
#include "support/test_host.h"

namespace upstream_test {

using agent_test::FakeUpstream;
using agent_test::HttpResult;
using agent_test::SseResult;
using agent_test::TestHost;
using nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Quick retries, so a test of a failing upstream takes well under a second per attempt.
inline json fast_retry(int max_attempts = 3, int max_backoff_ms = 200) {
  return {{"max_attempts", max_attempts},
          {"initial_backoff_ms", 50},
          {"max_backoff_ms", max_backoff_ms}};
}

// The openai plugin at the fake; `extra` is merged into its config.
inline json openai_provider(const FakeUpstream& fake, const json& extra = json::object()) {
  json config = {
      {"base_url", fake.base_url() + "/v1"}, {"model", "gpt-test"}, {"retry", fast_retry()}};
  if (extra.is_object()) config.update(extra);
  return {{"id", "openai"}, {"config", config}};
}

// The anthropic plugin at the fake; `extra` is merged into its config.
inline json anthropic_provider(const FakeUpstream& fake, const json& extra = json::object()) {
  json config = {{"base_url", fake.base_url()}, {"model", "claude-test"}, {"retry", fast_retry()}};
  if (extra.is_object()) config.update(extra);
  return {{"id", "anthropic"}, {"config", config}};
}

// An agent of the fixture personality and domain (the domain appends " (checked)" to every
// answer) on `provider`, then `fallbacks`.
inline json upstream_agent(const std::string& id, const json& provider,
                           const json& fallbacks = json::array()) {
  json agent = agent_test::fixture_agent(id);
  agent["provider"] = provider;
  if (!fallbacks.empty()) agent["fallback_providers"] = fallbacks;
  return agent;
}

// Host config: both providers' default secrets hold `key`; `more` adds other value secrets.
inline std::function<void(agent_host::app::HostConfig&)> with_secrets(
    const std::string& key, const std::map<std::string, std::string>& more = {},
    const std::function<void(agent_host::app::HostConfig&)>& then = {}) {
  return [key, more, then](agent_host::app::HostConfig& config) {
    using Source = agent_host::plugins::SecretSource;
    config.secrets.clear();
    config.secrets["openai_api_key"] = Source{Source::Type::value, key};
    config.secrets["anthropic_api_key"] = Source{Source::Type::value, key};
    for (const auto& [name, value] : more)
      config.secrets[name] = Source{Source::Type::value, value};
    if (then) then(config);
  };
}

inline json chat_body(const std::string& message, bool stream = false) {
  json body = {{"user_id", "user-1"}, {"message", message}};
  if (stream) body["stream"] = true;
  return body;
}

inline json completion_body(const std::string& model, const std::string& message) {
  return {{"model", model}, {"messages", json::array({{{"role", "user"}, {"content", message}}})}};
}

// Tools a /v1 client declares; the fake only calls tools when some are declared.
inline json declared_tools() {
  json tools = json::array();
  for (const char* name : {"get_weather", "get_time"}) {
    tools.push_back({{"type", "function"},
                     {"function",
                      {{"name", name},
                       {"description", std::string("the fixture tool ") + name},
                       {"parameters", {{"type", "object"}, {"properties", json::object()}}}}}});
  }
  return tools;
}

struct Timed {
  HttpResult result;
  milliseconds elapsed{0};
};

// A non-streamed chat turn, timed.
inline Timed chat(const TestHost& host, const std::string& agent, const std::string& message) {
  const auto start = Clock::now();
  Timed timed;
  timed.result =
      agent_test::post_json(host.port(), "/agents/" + agent + "/chat", chat_body(message));
  timed.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  return timed;
}

// A streamed chat turn (SSE).
inline SseResult stream_chat(const TestHost& host, const std::string& agent,
                             const std::string& message) {
  agent_test::SseClient client(host.port());
  return client.post("/agents/" + agent + "/chat", chat_body(message, true));
}

// The text of a stream's `delta` events, concatenated.
inline std::string streamed_text(const SseResult& result) {
  std::string text;
  for (const auto& event : agent_test::events_named(result, "delta")) {
    text += event.json["text"].get<std::string>();
  }
  return text;
}

// A 502/504 in the host's error shape, with a message.
inline void check_error(const HttpResult& result, int status, const std::string& code) {
  INFO(result.body);
  CHECK(result.status == status);
  REQUIRE(result.json.is_object());
  REQUIRE(result.json.contains("error"));
  CHECK(result.json["error"]["code"] == code);
  CHECK_FALSE(result.json["error"]["message"].get<std::string>().empty());
  CHECK_FALSE(result.json["error"]["request_id"].get<std::string>().empty());
}

inline std::string error_message(const HttpResult& result) {
  return result.json.is_object() && result.json.contains("error")
             ? result.json["error"].value("message", "")
             : "";
}

// The stream of a turn that failed after output started: deltas, then one `error` event
// carrying the status a non-streamed request gets.
inline void check_stream_error(const SseResult& result, int status, const std::string& code) {
  REQUIRE(result.status == 200);
  REQUIRE_FALSE(result.events.empty());
  const auto& last = result.events.back();
  INFO(last.data);
  CHECK(last.event == "error");
  CHECK(last.json["status"] == status);
  CHECK(last.json["error"]["code"] == code);
  CHECK(agent_test::events_named(result, "done").empty());
}

// API requests the fake received since its last reset.
inline int upstream_requests(const FakeUpstream& fake) {
  return fake.stats()["requests"].get<int>();
}

// Code points of a UTF-8 string.
inline std::size_t code_points(const std::string& text) {
  std::size_t n = 0;
  for (const unsigned char c : text) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

inline std::size_t text_chars(const json& content) {
  if (content.is_string()) return code_points(content.get<std::string>());
  std::size_t n = 0;
  if (content.is_array()) {
    for (const auto& part : content) {
      if (part.is_object() && part.value("type", "") == "text") {
        n += code_points(part.value("text", ""));
      }
    }
  }
  return n;
}

// The fake's prompt-token estimate for a plain chat request it received (no tools): ceil of the
// characters of the system prompt and every message, over 4.
inline int expected_prompt_tokens(const json& request_body) {
  std::size_t chars = request_body.contains("system") ? text_chars(request_body["system"]) : 0;
  for (const auto& message : request_body["messages"]) chars += text_chars(message["content"]);
  return static_cast<int>((chars + 3) / 4);
}

// Waits (polling, bounded) until `done` holds; false if it never did within `limit`.
inline bool eventually(const std::function<bool()>& done, milliseconds limit) {
  const auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return done();
}

}  // namespace upstream_test
