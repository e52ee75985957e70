// The state of an external dependency (Redis, a database) as /health shows it.
#pragma once

#include <cstdint>
#include <string>

namespace agent_host::observability {

struct DependencyStatus {
  bool ok = true;
  std::string last_error;     // what started the current (or the last) outage
  std::int64_t since_ms = 0;  // wall-clock time of the last change of state
};

}  // namespace agent_host::observability
