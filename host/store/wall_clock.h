// Wall-clock milliseconds since the epoch: what the stores record and compare expiries with.
#pragma once

#include <chrono>
#include <cstdint>

namespace agent_host::store {

inline std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace agent_host::store
