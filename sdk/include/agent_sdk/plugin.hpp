// agent_sdk/plugin.hpp — header-only C++17 layer over the C ABI in agent_plugin.h.
//
// A convenience, not the contract: it turns the C function table into one base class per plugin
// kind, converts exceptions into error results at the boundary, tracks cancellation, and exports
// a class as a plugin with one macro:
//
//   class Terse : public agent_sdk::Personality {
//    public:
//     Terse(agent_sdk::Host host, const agent_sdk::Json& config) : Personality(host) {}
//     agent_sdk::Json describe() override { return {{"id", "terse"}, ...}; }
//   };
//   AGENT_SDK_EXPORT_PLUGIN(Terse, "terse", "1.0.0", R"({"description": "Short answers"})")
//
// JSON inside the plugin is nlohmann::json; only its text crosses the boundary.
#ifndef AGENT_SDK_PLUGIN_HPP
#define AGENT_SDK_PLUGIN_HPP

#include <agent_sdk/agent_plugin.h>

#include <agent_sdk/json_codec.hpp>
#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace agent_sdk {

using Json = nlohmann::json;

// Throw this from plugin code to return a specific AGENT_ERR_* code; any other exception becomes
// AGENT_ERR_INTERNAL with its what() as the message.
class Error : public std::runtime_error {
 public:
  Error(int32_t code, const std::string& message, bool retryable = false)
      : std::runtime_error(message), code_(code), retryable_(retryable) {}
  int32_t code() const noexcept { return code_; }
  bool retryable() const noexcept { return retryable_; }

 private:
  int32_t code_;
  bool retryable_;
};

enum class LogLevel : int32_t {
  trace = AGENT_LOG_TRACE,
  debug = AGENT_LOG_DEBUG,
  info = AGENT_LOG_INFO,
  warn = AGENT_LOG_WARN,
  error = AGENT_LOG_ERROR,
};

// The host's services, as given to create(). Cheap to copy; valid for the instance's lifetime.
class Host {
 public:
  explicit Host(const agent_host_api* api) noexcept : api_(api) {}

  void log(LogLevel level, std::string_view message) const noexcept {
    if (api_ != nullptr && api_->log != nullptr) {
      api_->log(api_->ctx, static_cast<int32_t>(level), message.data(), message.size());
    }
  }

  // The secret called `name`, or nothing when the host has none by that name.
  std::optional<std::string> secret(const std::string& name) const {
    if (api_ == nullptr || api_->get_secret == nullptr) return std::nullopt;
    std::string buffer(256, '\0');
    int64_t length = api_->get_secret(api_->ctx, name.c_str(), buffer.data(), buffer.size());
    if (length < 0) return std::nullopt;
    if (static_cast<size_t>(length) >= buffer.size()) {
      buffer.assign(static_cast<size_t>(length) + 1, '\0');
      length = api_->get_secret(api_->ctx, name.c_str(), buffer.data(), buffer.size());
      if (length < 0) return std::nullopt;
    }
    buffer.resize(static_cast<size_t>(length));
    return buffer;
  }

  const agent_host_api* raw() const noexcept { return api_; }

 private:
  const agent_host_api* api_;
};

// One invoke() as seen by plugin code: identity, streaming output and cancellation.
class Call {
 public:
  Call(const agent_call* call, const agent_sink* sink, const std::atomic<bool>* cancelled) noexcept
      : call_(call), sink_(sink), cancelled_(cancelled) {}

  uint64_t id() const noexcept { return call_->call_id; }
  std::string_view method() const noexcept { return call_->method; }
  std::string_view request_id() const noexcept {
    return call_->request_id != nullptr ? call_->request_id : "";
  }
  int64_t deadline_unix_ms() const noexcept { return call_->deadline_unix_ms; }

  // Streams one fragment to the host. Returns false when the host wants the call to stop.
  bool emit_delta(const Json& delta) {
    const std::string text = agent_sdk::dump_json(delta);
    if (sink_->emit(sink_->ctx, "delta", text.data(), text.size()) != 0) {
      stopped_ = true;
    }
    return !stopped_;
  }

  // True once the host cancelled the call or refused further output.
  bool cancelled() const noexcept {
    return stopped_ || cancelled_->load(std::memory_order_relaxed);
  }

  // Throws the cancellation error when the call was cancelled; call it between steps of work.
  void throw_if_cancelled() const {
    if (cancelled()) throw Error(AGENT_ERR_CANCELLED, "cancelled by the host");
  }

 private:
  const agent_call* call_;
  const agent_sink* sink_;
  const std::atomic<bool>* cancelled_;
  bool stopped_ = false;
};

// Common base of every plugin class. Derive from one of the kind classes below, not from this.
class Plugin {
 public:
  explicit Plugin(Host host) noexcept : host_(host) {}
  virtual ~Plugin() = default;
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  // Runs `method`; returns the "result" object. Kind classes implement the dispatch.
  virtual Json invoke(std::string_view method, const Json& input, Call& call) = 0;
  // The host is about to unload the plugin: stop background work.
  virtual void quiesce() {}

  // Descriptor flags (AGENT_PLUGIN_FLAG_*). Shadow in a subclass to declare thread safety:
  //   static constexpr uint32_t kFlags = AGENT_PLUGIN_FLAG_THREAD_SAFE;
  static constexpr uint32_t kFlags = 0;

 protected:
  const Host& host() const noexcept { return host_; }
  [[noreturn]] static void unsupported(std::string_view method) {
    throw Error(AGENT_ERR_UNSUPPORTED, "unsupported method '" + std::string(method) + "'");
  }

 private:
  Host host_;
};

class Personality : public Plugin {
 public:
  static constexpr uint32_t kKind = AGENT_KIND_PERSONALITY;
  using Plugin::Plugin;
  // {"id", "traits", "tone", "approach", "system_prompt"}
  virtual Json describe() = 0;
  Json invoke(std::string_view method, const Json&, Call&) override {
    if (method == "describe") return describe();
    unsupported(method);
  }
};

class Domain : public Plugin {
 public:
  static constexpr uint32_t kKind = AGENT_KIND_DOMAIN;
  using Plugin::Plugin;
  // {"id", "specialization", "system_prompt", "knowledge"}
  virtual Json describe() = 0;
  // {"action": "allow"|"refuse"|"rewrite", "message"?, "reason"?}
  virtual Json check_input(const Json& input) = 0;
  // {"action": "allow"|"rewrite"|"refuse", "response"?, "reason"?}
  virtual Json check_output(const Json& input) = 0;
  Json invoke(std::string_view method, const Json& input, Call&) override {
    if (method == "describe") return describe();
    if (method == "check_input") return check_input(input);
    if (method == "check_output") return check_output(input);
    unsupported(method);
  }
};

class Provider : public Plugin {
 public:
  static constexpr uint32_t kKind = AGENT_KIND_PROVIDER;
  using Plugin::Plugin;
  // Streams {"type":"text","text"} deltas through `call`; returns {"message", "usage", ...}.
  virtual Json complete(const Json& input, Call& call) = 0;
  Json invoke(std::string_view method, const Json& input, Call& call) override {
    if (method == "complete") return complete(input, call);
    unsupported(method);
  }
};

class ToolSource : public Plugin {
 public:
  static constexpr uint32_t kKind = AGENT_KIND_TOOL_SOURCE;
  using Plugin::Plugin;
  // {"tools": [{"name", "description", "input_schema"}]}
  virtual Json list_tools(Call& call) = 0;
  // {"content": [...], "is_error": bool, "structured_content"?}
  virtual Json call_tool(const Json& input, Call& call) = 0;
  Json invoke(std::string_view method, const Json& input, Call& call) override {
    if (method == "list_tools") return list_tools(call);
    if (method == "call_tool") return call_tool(input, call);
    unsupported(method);
  }
};

namespace detail {

inline void fail(const agent_sink* sink, int32_t code, std::string_view message,
                 bool retryable) noexcept {
  if (sink != nullptr && sink->fail != nullptr) {
    sink->fail(sink->ctx, code, message.data(), message.size(), retryable ? 1 : 0);
  }
}

// Runs `body`, turning every exception into a sink failure and an error code.
template <typename Body>
int32_t guarded(const agent_sink* sink, Body&& body) noexcept {
  try {
    return body();
  } catch (const Error& e) {
    fail(sink, e.code(), e.what(), e.retryable());
    return e.code();
  } catch (const Json::exception& e) {
    fail(sink, AGENT_ERR_INVALID_INPUT, std::string("invalid JSON: ") + e.what(), false);
    return AGENT_ERR_INVALID_INPUT;
  } catch (const std::exception& e) {
    fail(sink, AGENT_ERR_INTERNAL, e.what(), false);
    return AGENT_ERR_INTERNAL;
  } catch (...) {
    fail(sink, AGENT_ERR_INTERNAL, "unknown exception", false);
    return AGENT_ERR_INTERNAL;
  }
}

// What an agent_instance* really points to: the plugin object plus cancellation flags of the
// calls in flight.
struct Box {
  std::unique_ptr<Plugin> plugin;
  std::mutex mutex;
  std::unordered_map<uint64_t, std::shared_ptr<std::atomic<bool>>> in_flight;
};

inline Box* unbox(agent_instance* instance) noexcept { return reinterpret_cast<Box*>(instance); }

template <typename T>
int32_t create(const agent_host_api* host, const char* config, size_t config_len,
               const agent_sink* sink, agent_instance** out) noexcept {
  return guarded(sink, [&]() -> int32_t {
    const Json parsed = config_len == 0
                            ? Json::object()
                            : agent_sdk::parse_json(std::string_view(config, config_len));
    if (!parsed.is_object()) throw Error(AGENT_ERR_INVALID_INPUT, "config must be a JSON object");
    auto box = std::make_unique<Box>();
    box->plugin = std::make_unique<T>(Host(host), parsed);
    *out = reinterpret_cast<agent_instance*>(box.release());
    return AGENT_OK;
  });
}

inline void destroy(agent_instance* instance) noexcept {
  try {
    delete unbox(instance);
  } catch (...) {
    // A destructor that throws would otherwise terminate the host.
  }
}

inline int32_t invoke(agent_instance* instance, const agent_call* call,
                      const agent_sink* sink) noexcept {
  Box* box = unbox(instance);
  std::shared_ptr<std::atomic<bool>> flag;
  const int32_t status = guarded(sink, [&]() -> int32_t {
    flag = std::make_shared<std::atomic<bool>>(false);
    {
      std::lock_guard<std::mutex> lock(box->mutex);
      box->in_flight[call->call_id] = flag;
    }
    Call context(call, sink, flag.get());
    const Json input = call->input_len == 0
                           ? Json::object()
                           : agent_sdk::parse_json(std::string_view(call->input, call->input_len));
    const Json result = box->plugin->invoke(call->method, input, context);
    context.throw_if_cancelled();
    const std::string text = agent_sdk::dump_json(result);
    sink->emit(sink->ctx, "result", text.data(), text.size());
    return AGENT_OK;
  });
  if (flag) {
    try {
      std::lock_guard<std::mutex> lock(box->mutex);
      box->in_flight.erase(call->call_id);
    } catch (...) {
    }
  }
  return status;
}

inline void cancel(agent_instance* instance, uint64_t call_id) noexcept {
  try {
    Box* box = unbox(instance);
    std::lock_guard<std::mutex> lock(box->mutex);
    const auto it = box->in_flight.find(call_id);
    if (it != box->in_flight.end()) it->second->store(true);
  } catch (...) {
  }
}

inline void quiesce(agent_instance* instance) noexcept {
  try {
    unbox(instance)->plugin->quiesce();
  } catch (...) {
  }
}

template <typename T>
constexpr agent_plugin_descriptor make_descriptor(const char* id, const char* version,
                                                  const char* manifest) noexcept {
  return agent_plugin_descriptor{sizeof(agent_plugin_descriptor),
                                 AGENT_ABI_MAJOR,
                                 AGENT_ABI_MINOR,
                                 T::kKind,
                                 T::kFlags,
                                 id,
                                 version,
                                 manifest,
                                 &create<T>,
                                 &destroy,
                                 &invoke,
                                 &cancel,
                                 &quiesce};
}

}  // namespace detail
}  // namespace agent_sdk

// Exports `Class` as this library's plugin. Use once per shared library, at namespace scope.
// `Class` derives from a kind class and has a constructor (agent_sdk::Host, const Json& config).
#define AGENT_SDK_EXPORT_PLUGIN(Class, id, version, manifest_json)                         \
  extern "C" AGENT_PLUGIN_EXPORT const agent_plugin_descriptor* AGENT_PLUGIN_ENTRY(void) { \
    static constexpr agent_plugin_descriptor descriptor =                                  \
        ::agent_sdk::detail::make_descriptor<Class>(id, version, manifest_json);           \
    return &descriptor;                                                                    \
  }

#endif  // AGENT_SDK_PLUGIN_HPP
