#include "plugins/plugin_instance.h"

#include <spdlog/spdlog.h>

#include <agent_sdk/json_codec.hpp>
#include <algorithm>
#include <cstring>
#include <optional>

#include "http_client/call_registry.h"
#include "http_client/plugin_http_api.h"

namespace agent_host::plugins {

struct PluginInstance::Services {
  std::string log_prefix;
  const SecretStore* secrets = nullptr;
  http_client::CallRegistry* calls = nullptr;
  http_client::PluginHttpContext http_context;
  agent_http_api http{};
  agent_host_api api{};
};

namespace {

std::atomic<std::uint64_t> g_next_call_id{1};

// Collects what a plugin sends through one sink during one create() or invoke().
struct SinkState {
  const std::function<bool(std::string_view)>* on_delta = nullptr;
  std::optional<std::string> result;
  std::int32_t fail_code = 0;
  std::string fail_message;
  bool retryable = false;
};

int sink_emit(void* ctx, const char* event, const char* json, size_t len) {
  auto* state = static_cast<SinkState*>(ctx);
  try {
    const std::string_view name = event != nullptr ? event : "";
    if (name == "result") {
      state->result.emplace(json, len);
    } else if (name == "delta" && state->on_delta != nullptr && *state->on_delta) {
      return (*state->on_delta)(std::string_view(json, len)) ? 0 : 1;
    }
    return 0;  // unknown events are ignored: a newer plugin may send more kinds
  } catch (...) {
    return 1;
  }
}

void sink_fail(void* ctx, int32_t code, const char* message, size_t len, int32_t retryable) {
  auto* state = static_cast<SinkState*>(ctx);
  try {
    state->fail_code = code;
    state->fail_message.assign(message != nullptr ? message : "", message != nullptr ? len : 0);
    state->retryable = retryable != 0;
  } catch (...) {
  }
}

agent_sink make_sink(SinkState& state) {
  return agent_sink{sizeof(agent_sink), &state, &sink_emit, &sink_fail};
}

// Plugin log lines go to the host's logger, prefixed with kind/id; AGENT_LOG_* values match
// spdlog's level numbers.
void host_log(const std::string& prefix, int32_t level, const char* message, size_t len) {
  try {
    const auto spd_level = static_cast<spdlog::level::level_enum>(
        std::clamp<int32_t>(level, AGENT_LOG_TRACE, AGENT_LOG_ERROR));
    spdlog::log(spd_level, "[{}] {}", prefix, std::string_view(message, message ? len : 0));
  } catch (...) {
  }
}

}  // namespace

std::uint64_t PluginInstance::next_call_id() noexcept {
  return g_next_call_id.fetch_add(1, std::memory_order_relaxed);
}

PluginInstance::PluginInstance(std::shared_ptr<const PluginLibrary> library,
                               const nlohmann::json& config, const HostServices& host)
    : library_(std::move(library)), services_(std::make_unique<Services>()) {
  const PluginInfo& plugin = library_->info();
  services_->log_prefix = std::string(to_string(plugin.kind)) + "/" + plugin.id;
  services_->secrets = &host.secrets;
  services_->calls = host.calls;
  agent_host_api& api = services_->api;
  api.struct_size = sizeof(agent_host_api);
  api.abi_major = AGENT_ABI_MAJOR;
  api.abi_minor = AGENT_ABI_MINOR;
  api.ctx = services_.get();
  api.log = [](void* ctx, int32_t level, const char* message, size_t len) {
    host_log(static_cast<Services*>(ctx)->log_prefix, level, message, len);
  };
  api.get_secret = [](void* ctx, const char* name, char* buffer, size_t capacity) -> int64_t {
    try {
      const auto* self = static_cast<Services*>(ctx);
      const auto value = self->secrets->get(name != nullptr ? name : "");
      if (!value) return -1;
      if (capacity > 0) {
        const std::size_t n = std::min(capacity - 1, value->size());
        std::memcpy(buffer, value->data(), n);
        buffer[n] = '\0';
      }
      return static_cast<int64_t>(value->size());
    } catch (...) {
      return -1;
    }
  };
  api.http = nullptr;
  if (host.http != nullptr) {
    services_->http_context = {host.http, host.calls, services_->log_prefix};
    http_client::fill_http_api(services_->http, services_->http_context);
    api.http = &services_->http;
  }

  const std::string text = config.is_null() ? std::string("{}") : agent_sdk::dump_json(config);
  SinkState state;
  const agent_sink sink = make_sink(state);
  agent_instance* handle = nullptr;
  std::int32_t status = AGENT_ERR_INTERNAL;
  try {
    status =
        library_->descriptor().create(&services_->api, text.data(), text.size(), &sink, &handle);
  } catch (...) {
    state.fail_message = "create() let an exception cross the ABI boundary";
  }
  if (status != AGENT_OK || handle == nullptr) {
    std::string reason = state.fail_message.empty()
                             ? "create() failed with status " + std::to_string(status)
                             : state.fail_message;
    throw PluginCreateError(services_->log_prefix + " (" + plugin.file.string() +
                            "): create failed: " + reason);
  }
  handle_ = handle;
}

PluginInstance::~PluginInstance() {
  if (handle_ != nullptr) {
    try {
      library_->descriptor().destroy(handle_);
    } catch (...) {
    }
  }
}

InvokeResult PluginInstance::invoke(std::string_view method, std::string_view input,
                                    const CallOptions& options) {
  const std::string method_text(method);
  const std::string request_id(options.request_id);
  SinkState state;
  state.on_delta = &options.on_delta;
  const agent_sink sink = make_sink(state);
  agent_call call{};
  call.struct_size = sizeof(agent_call);
  call.call_id = options.call_id != 0 ? options.call_id : next_call_id();
  call.method = method_text.c_str();
  call.input = input.data();
  call.input_len = input.size();
  call.request_id = request_id.c_str();
  call.deadline_unix_ms = options.deadline_unix_ms;

  InvokeResult out;
  // Registered before the plugin runs, so its HTTP requests find the call (deadline, request id)
  // and cancel() reaches them.
  http_client::CallRegistry::Scope registered;
  if (services_->calls != nullptr) {
    registered = services_->calls->enter(call.call_id, call.deadline_unix_ms, request_id);
  }
  std::unique_lock<std::mutex> lock(serial_, std::defer_lock);
  if (!info().thread_safe()) lock.lock();
  try {
    out.status = library_->descriptor().invoke(handle_, &call, &sink);
  } catch (...) {
    out.status = AGENT_ERR_INTERNAL;
    state.fail_message = "invoke() let an exception cross the ABI boundary";
  }
  if (out.status == AGENT_OK) {
    if (state.result) {
      out.result = std::move(*state.result);
    } else {
      out.status = AGENT_ERR_INTERNAL;
      out.error = "plugin returned success without a result";
    }
  } else {
    out.error = state.fail_message.empty() ? "failed with status " + std::to_string(out.status)
                                           : std::move(state.fail_message);
    out.retryable = state.retryable;
  }
  return out;
}

nlohmann::json PluginInstance::invoke_json(std::string_view method, const nlohmann::json& input,
                                           const CallOptions& options) {
  const InvokeResult result = invoke(method, agent_sdk::dump_json(input), options);
  if (!result.ok()) {
    throw std::runtime_error(services_->log_prefix + " " + std::string(method) +
                             " failed: " + result.error);
  }
  try {
    return agent_sdk::parse_json(result.result);
  } catch (const nlohmann::json::exception&) {  // parse_error, or out_of_range for 1e999
    throw std::runtime_error(services_->log_prefix + " " + std::string(method) +
                             " returned invalid JSON");
  }
}

void PluginInstance::cancel(std::uint64_t call_id) noexcept {
  if (services_->calls != nullptr) services_->calls->cancel(call_id);
  if (const auto cancel = library_->descriptor().cancel; cancel != nullptr) {
    try {
      cancel(handle_, call_id);
    } catch (...) {
    }
  }
}

void PluginInstance::quiesce() noexcept {
  if (const auto quiesce = library_->descriptor().quiesce; quiesce != nullptr) {
    try {
      quiesce(handle_);
    } catch (...) {
    }
  }
}

}  // namespace agent_host::plugins
