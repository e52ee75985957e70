// Process-wide logging set-up (spdlog): the default logger for the host and plugins, and the
// "access" logger with one line per request.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace agent_host::observability {

// Sets the level ("trace", "debug", "info", "warn", "error", "off") of every logger.
// Throws std::invalid_argument for an unknown level name.
void configure_logging(const std::string& level);

// The access logger (created on first use).
std::shared_ptr<spdlog::logger> access_logger();

}  // namespace agent_host::observability
