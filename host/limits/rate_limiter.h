// Counts one request of a client against a rule. Two implementations: in process
// (LocalRateLimiter) and shared by every host through Redis (RedisRateLimiter).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "limits/gcra.h"
#include "limits/limits_config.h"

namespace agent_host::limits {

// Microseconds since the epoch; injectable so tests drive time without sleeping.
using MicrosClock = std::function<std::int64_t()>;
MicrosClock system_micros_clock();

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // `client` identifies the caller ("key:abc", "ip:10.0.0.1"); never throws.
  virtual RateDecision acquire(const RateRule& rule, const std::string& client) = 0;
};

}  // namespace agent_host::limits
