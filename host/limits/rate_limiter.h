// Counts one request of a client against the rules it matches. Two implementations: in process
// (LocalRateLimiter) and shared by every host through Redis (RedisRateLimiter).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "limits/gcra.h"
#include "limits/limits_config.h"

namespace agent_host::limits {

// Microseconds since the epoch; injectable so tests drive time without sleeping.
using MicrosClock = std::function<std::int64_t()>;
MicrosClock system_micros_clock();

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Counts one request against every rule in `rules` at once, all or nothing: when any rule
  // refuses, no rule's quota is spent (a refused request must not eat the quotas of the rules
  // that would have let it through). One decision per rule, in order; a rule that would have
  // allowed a refused request reports its unspent state (gcra_unspent). `client` identifies the
  // caller ("key:abc", "ip:10.0.0.1"). Never throws.
  virtual std::vector<RateDecision> acquire_all(const std::vector<const RateRule*>& rules,
                                                const std::string& client) = 0;

  // One rule alone.
  RateDecision acquire(const RateRule& rule, const std::string& client) {
    return acquire_all({&rule}, client).front();
  }
};

// Whether every decision allowed the request.
bool all_allowed(const std::vector<RateDecision>& decisions);

}  // namespace agent_host::limits
