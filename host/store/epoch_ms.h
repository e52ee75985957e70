// Wall-clock time as stored: milliseconds since the Unix epoch.
#pragma once

#include <chrono>
#include <cstdint>

namespace agent_host::store {

inline std::int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace agent_host::store
