// Process-wide logging set-up (spdlog): the default logger for the host and plugins, and the
// "access" logger with one line per request. Lines are text or JSON (one object per line), and
// every line written while a request is served carries its request id (RequestIdScope).
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace agent_host::observability {

enum class LogFormat { text, json };

// Parses "text" or "json"; throws std::invalid_argument for anything else.
LogFormat parse_log_format(const std::string& name);

// Sets the level ("trace", "debug", "info", "warn", "error", "off") and the format of every
// logger. Throws std::invalid_argument for an unknown level name.
void configure_logging(const std::string& level, LogFormat format = LogFormat::text);

// The access logger (created on first use).
std::shared_ptr<spdlog::logger> access_logger();

// While it lives, log lines written by this thread carry `request_id` (text: "[id] " before the
// message; JSON: "request_id"). Scopes nest; the id must outlive the scope.
class RequestIdScope {
 public:
  explicit RequestIdScope(const std::string& request_id) noexcept;
  ~RequestIdScope();
  RequestIdScope(const RequestIdScope&) = delete;
  RequestIdScope& operator=(const RequestIdScope&) = delete;

 private:
  const std::string* previous_;
};

// The request id of this thread's scope, or nullptr.
const std::string* current_request_id() noexcept;

}  // namespace agent_host::observability
