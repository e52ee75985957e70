// A scripted stand-in for a paid LLM upstream, offered to a provider plugin as the host's HTTP
// client table (agent_http_api): each perform() records the request and plays the next scripted
// answer through the plugin's response sink, piece by piece. With it the tests drive the real
// plugin .so through its C ABI (create, invoke, cancel) across streaming, retries, Retry-After
// and cancellation, with no network and no paid API. The host's real HTTP client and the Node
// fake upstream are exercised by the end-to-end tests.
#pragma once

#include <agent_sdk/agent_plugin.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "bundled_plugin_support.hpp"

namespace provider_test {

using nlohmann::json;

struct ScriptedAnswer {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> chunks;     // body pieces, one on_body() each
  int32_t transport_error = AGENT_OK;  // returned after the chunks, e.g. UNAVAILABLE
  std::string error_text;
};

struct RecordedRequest {
  std::string method;
  std::string url;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  uint64_t call_id = 0;
  int64_t connect_timeout_ms = 0, first_byte_timeout_ms = 0, idle_timeout_ms = 0,
          total_timeout_ms = 0;

  json body_json() const { return json::parse(body); }
  bool has_header(const std::string& name) const { return headers.count(name) != 0; }
};

// An event stream: one "data:" event per payload (with an "event:" line when a name is given).
inline ScriptedAnswer sse(const std::vector<std::pair<std::string, std::string>>& events,
                          std::size_t piece = 0) {
  std::string text;
  for (const auto& [name, data] : events) {
    if (!name.empty()) text += "event: " + name + "\n";
    text += "data: " + data + "\n\n";
  }
  ScriptedAnswer answer;
  answer.headers = {{"Content-Type", "text/event-stream; charset=utf-8"}};
  if (piece == 0) {
    answer.chunks = {text};
  } else {
    for (std::size_t at = 0; at < text.size(); at += piece)
      answer.chunks.push_back(text.substr(at, piece));
  }
  return answer;
}

inline ScriptedAnswer json_answer(int status, const json& body,
                                  std::vector<std::pair<std::string, std::string>> headers = {}) {
  ScriptedAnswer answer;
  answer.status = status;
  answer.headers = std::move(headers);
  answer.headers.emplace_back("Content-Type", "application/json");
  answer.chunks = {body.dump()};
  return answer;
}

class ScriptedHttp {
 public:
  ScriptedHttp() {
    api_.struct_size = sizeof(agent_http_api);
    api_.ctx = this;
    api_.perform = &ScriptedHttp::perform;
  }
  ScriptedHttp(const ScriptedHttp&) = delete;
  ScriptedHttp& operator=(const ScriptedHttp&) = delete;

  void push(ScriptedAnswer answer) {
    std::lock_guard<std::mutex> lock(mutex_);
    answers_.push_back(std::move(answer));
  }
  std::vector<RecordedRequest> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  std::size_t request_count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_.size();
  }
  const agent_http_api* api() const { return &api_; }

 private:
  static void set_error(char* error, size_t capacity, const std::string& text) {
    if (error == nullptr || capacity == 0) return;
    const size_t n = std::min(capacity - 1, text.size());
    std::memcpy(error, text.data(), n);
    error[n] = '\0';
  }

  static int32_t perform(void* ctx, const agent_http_request* request,
                         const agent_http_response_sink* sink, char* error, size_t capacity) {
    auto* self = static_cast<ScriptedHttp*>(ctx);
    RecordedRequest recorded;
    recorded.method = request->method;
    recorded.url = request->url;
    for (size_t i = 0; i < request->header_count; ++i) {
      std::string name = request->headers[i].name;
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      recorded.headers[name] = request->headers[i].value;
    }
    recorded.body.assign(request->body != nullptr ? request->body : "", request->body_len);
    recorded.call_id = request->call_id;
    recorded.connect_timeout_ms = request->connect_timeout_ms;
    recorded.first_byte_timeout_ms = request->first_byte_timeout_ms;
    recorded.idle_timeout_ms = request->idle_timeout_ms;
    recorded.total_timeout_ms = request->total_timeout_ms;
    ScriptedAnswer answer;
    {
      std::lock_guard<std::mutex> lock(self->mutex_);
      self->requests_.push_back(std::move(recorded));
      if (self->answers_.empty()) {
        set_error(error, capacity, "no scripted answer left");
        return AGENT_ERR_UNAVAILABLE;
      }
      answer = std::move(self->answers_.front());
      self->answers_.pop_front();
    }
    if (answer.status != 0) {
      std::vector<agent_http_header> headers;
      for (const auto& [name, value] : answer.headers) {
        headers.push_back({name.c_str(), value.c_str()});
      }
      if (sink->on_head(sink->ctx, answer.status, headers.data(), headers.size()) != 0) {
        set_error(error, capacity, "aborted by the response sink");
        return AGENT_ERR_CANCELLED;
      }
      for (const std::string& chunk : answer.chunks) {
        if (sink->on_body(sink->ctx, chunk.data(), chunk.size()) != 0) {
          set_error(error, capacity, "aborted by the response sink");
          return AGENT_ERR_CANCELLED;
        }
      }
    }
    if (answer.transport_error != AGENT_OK) set_error(error, capacity, answer.error_text);
    return answer.transport_error;
  }

  agent_http_api api_{};
  mutable std::mutex mutex_;
  std::deque<ScriptedAnswer> answers_;
  std::vector<RecordedRequest> requests_;
};

// The host services a plugin gets: log lines kept for inspection, secrets by name, and the
// scripted HTTP client (or none, as an ABI 1.0 host).
using Secrets = std::map<std::string, std::string>;

class ScriptedHost {
 public:
  explicit ScriptedHost(std::map<std::string, std::string> secrets = {}, bool offer_http = true)
      : secrets_(std::move(secrets)) {
    api_.struct_size = sizeof(agent_host_api);
    api_.abi_major = AGENT_ABI_MAJOR;
    api_.abi_minor = AGENT_ABI_MINOR;
    api_.ctx = this;
    api_.log = [](void* ctx, int32_t level, const char* message, size_t len) {
      auto* self = static_cast<ScriptedHost*>(ctx);
      std::lock_guard<std::mutex> lock(self->mutex_);
      self->logs_.emplace_back(level, std::string(message, len));
    };
    api_.get_secret = [](void* ctx, const char* name, char* buffer, size_t capacity) -> int64_t {
      auto* self = static_cast<ScriptedHost*>(ctx);
      const auto it = self->secrets_.find(name);
      if (it == self->secrets_.end()) return -1;
      if (capacity > 0) {
        const size_t n = std::min(capacity - 1, it->second.size());
        std::memcpy(buffer, it->second.data(), n);
        buffer[n] = '\0';
      }
      return static_cast<int64_t>(it->second.size());
    };
    api_.http = offer_http ? http.api() : nullptr;
  }
  ScriptedHost(const ScriptedHost&) = delete;
  ScriptedHost& operator=(const ScriptedHost&) = delete;

  const agent_host_api* api() const { return &api_; }
  std::vector<std::pair<int32_t, std::string>> logs() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return logs_;
  }

  ScriptedHttp http;

 private:
  std::map<std::string, std::string> secrets_;
  agent_host_api api_{};
  mutable std::mutex mutex_;
  std::vector<std::pair<int32_t, std::string>> logs_;
};

struct Outcome {
  int32_t status = AGENT_OK;
  json result;
  std::string error;
  bool retryable = false;
  std::vector<json> deltas;

  std::string streamed_text() const {
    std::string text;
    for (const json& delta : deltas) {
      if (delta["type"] == "text") text += delta["text"].get<std::string>();
    }
    return text;
  }
};

// A provider plugin loaded from the build's plugins folder and driven through its descriptor
// with a ScriptedHost, the way the host drives it.
class RawProvider {
 public:
  RawProvider(const std::string& target, const ScriptedHost& host,
              const json& config = json::object())
      : library_(bundled_plugins_test::load_library(target)) {
    Sink state;
    const agent_sink sink = state.make();
    const std::string text = config.dump();
    const int32_t status =
        library_->descriptor().create(host.api(), text.data(), text.size(), &sink, &instance_);
    if (status != AGENT_OK) throw std::runtime_error("create failed: " + state.error);
  }
  ~RawProvider() {
    if (instance_ != nullptr) library_->descriptor().destroy(instance_);
  }
  RawProvider(const RawProvider&) = delete;
  RawProvider& operator=(const RawProvider&) = delete;

  static uint64_t next_call_id() {
    static std::atomic<uint64_t> next{1000};
    return next++;
  }

  // Runs "complete". `on_delta` returning false asks the plugin to stop.
  Outcome complete(const json& input, const std::function<bool(const json&)>& on_delta = nullptr,
                   int64_t deadline_unix_ms = 0, uint64_t call_id = 0) {
    Sink state;
    state.on_delta = &on_delta;
    const agent_sink sink = state.make();
    const std::string text = input.dump();
    agent_call call{};
    call.struct_size = sizeof(agent_call);
    call.call_id = call_id != 0 ? call_id : next_call_id();
    call.method = "complete";
    call.input = text.data();
    call.input_len = text.size();
    call.request_id = "test-request";
    call.deadline_unix_ms = deadline_unix_ms;
    Outcome outcome;
    outcome.status = library_->descriptor().invoke(instance_, &call, &sink);
    if (outcome.status == AGENT_OK) outcome.result = json::parse(state.result);
    outcome.error = state.error;
    outcome.retryable = state.retryable;
    outcome.deltas = std::move(state.deltas);
    return outcome;
  }

  void cancel(uint64_t call_id) { library_->descriptor().cancel(instance_, call_id); }

 private:
  struct Sink {
    const std::function<bool(const json&)>* on_delta = nullptr;
    std::vector<json> deltas;
    std::string result;
    std::string error;
    bool retryable = false;

    agent_sink make() {
      agent_sink sink{};
      sink.struct_size = sizeof(agent_sink);
      sink.ctx = this;
      sink.emit = [](void* ctx, const char* event, const char* data, size_t len) -> int {
        auto* self = static_cast<Sink*>(ctx);
        const std::string text(data, len);
        if (std::string(event) == "result") {
          self->result = text;
          return 0;
        }
        self->deltas.push_back(json::parse(text));
        return self->on_delta != nullptr && *self->on_delta &&
                       !(*self->on_delta)(self->deltas.back())
                   ? 1
                   : 0;
      };
      sink.fail = [](void* ctx, int32_t, const char* message, size_t len, int32_t retryable) {
        auto* self = static_cast<Sink*>(ctx);
        self->error.assign(message, len);
        self->retryable = retryable != 0;
      };
      return sink;
    }
  };

  std::shared_ptr<const bundled_plugins_test::PluginLibrary> library_;
  agent_instance* instance_ = nullptr;
};

inline int64_t unix_ms_from_now(std::chrono::milliseconds delta) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             (std::chrono::system_clock::now() + delta).time_since_epoch())
      .count();
}

}  // namespace provider_test
