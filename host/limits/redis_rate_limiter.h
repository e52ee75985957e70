// GCRA shared by every host through Redis: one Lua script (EVALSHA, loaded with EVAL on
// NOSCRIPT) reads the client's TAT of every rule the request matches and moves all of them or
// none, atomically in one round trip, on Redis's own clock (TIME) so hosts with skewed clocks
// still agree.
//
// Fail mode: open, to the local limiter. When Redis cannot be reached the host keeps limiting
// each client on its own (so across N hosts a client gets at most N times the limit for the
// outage) instead of refusing every chat because a cache is down; the switch is logged once
// when it happens and once when Redis is back.
#pragma once

#include <atomic>
#include <string>

#include "limits/local_rate_limiter.h"
#include "store/redis/redis_client.h"

namespace agent_host::limits {

class RedisRateLimiter : public RateLimiter {
 public:
  RedisRateLimiter(store::redis::RedisClient& redis, std::string key_prefix,
                   LocalRateLimiter& fallback);

  std::vector<RateDecision> acquire_all(const std::vector<const RateRule*>& rules,
                                        const std::string& client) override;

 private:
  store::redis::RedisClient& redis_;
  const std::string key_prefix_;
  LocalRateLimiter& fallback_;
  std::atomic<bool> degraded_{false};
};

}  // namespace agent_host::limits
