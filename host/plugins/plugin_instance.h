// A configured instance of a plugin (what create() returned), with the host-services table it
// was given. Holds a shared reference to its library, so the code stays mapped while any
// instance lives. Invocations of plugins that are not thread-safe are serialised here.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "plugins/host_services.h"
#include "plugins/plugin_library.h"

namespace agent_host::plugins {

// create() failed; the message names the plugin file and the plugin's reason.
class PluginCreateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CallOptions {
  std::string_view request_id;
  std::int64_t deadline_unix_ms = 0;
  // Receives each streamed "delta"; return false to ask the plugin to stop.
  std::function<bool(std::string_view json)> on_delta;
  // Set by the caller to cancel from another thread (see PluginInstance::cancel).
  std::uint64_t call_id = 0;
};

struct InvokeResult {
  std::int32_t status = 0;  // AGENT_OK or an AGENT_ERR_*
  std::string result;       // the "result" JSON on success
  std::string error;        // the plugin's reason on failure
  bool retryable = false;

  bool ok() const noexcept { return status == 0; }
};

class PluginInstance {
 public:
  // Throws PluginCreateError when the plugin's create() fails. What `services` refers to must
  // outlive the instance.
  PluginInstance(std::shared_ptr<const PluginLibrary> library, const nlohmann::json& config,
                 const HostServices& services);
  ~PluginInstance();
  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;

  // A fresh id for CallOptions::call_id, unique in this process.
  static std::uint64_t next_call_id() noexcept;

  // Runs `method` with `input` JSON. Never throws for plugin failures: they come back as status.
  // The call is registered with the host's CallRegistry (if any) while it runs.
  InvokeResult invoke(std::string_view method, std::string_view input, const CallOptions& options);
  // Convenience: invoke and parse the result; throws std::runtime_error with the plugin's reason
  // when the call fails or the result is not JSON.
  nlohmann::json invoke_json(std::string_view method, const nlohmann::json& input,
                             const CallOptions& options);

  // Asks the plugin to stop the call and aborts the call's HTTP requests in flight (which ends a
  // blocked read even when the plugin ignores cancellation).
  void cancel(std::uint64_t call_id) noexcept;
  void quiesce() noexcept;

  const PluginInfo& info() const noexcept { return library_->info(); }
  const std::shared_ptr<const PluginLibrary>& library() const noexcept { return library_; }

 private:
  struct Services;  // the agent_host_api and agent_http_api tables and what their ctx points to

  std::shared_ptr<const PluginLibrary> library_;
  std::unique_ptr<Services> services_;
  agent_instance* handle_ = nullptr;
  std::mutex serial_;  // taken around invoke() unless the plugin is thread-safe
};

}  // namespace agent_host::plugins
