// Timestamps in API responses: ISO 8601, UTC, millisecond precision.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace agent_host::http {

std::string iso8601_ms(std::int64_t unix_ms);
std::string iso8601_ms(std::chrono::system_clock::time_point when);

}  // namespace agent_host::http
