// The abuse limits of one host, composed from LimitsConfig: the rate limiter (shared through
// Redis when the host has one, in process otherwise), the token budgets and CORS. HostApp owns
// one and installs it on the router.
#pragma once

#include <memory>
#include <string>

#include "http/router.h"
#include "limits/limits_config.h"
#include "limits/local_rate_limiter.h"
#include "limits/redis_rate_limiter.h"
#include "limits/token_budgets.h"
#include "store/redis/redis_client.h"

namespace agent_host::limits {

class HostLimits {
 public:
  // `redis` may be null; it must outlive this object.
  HostLimits(const LimitsConfig& config, store::redis::RedisClient* redis,
             const std::string& key_prefix);

  // CORS before routing; the rate rules as a route filter (add authentication's filter first,
  // so limits key on the principal).
  void install(http::Router& router);
  TokenBudgets& budgets() noexcept { return budgets_; }

 private:
  const LimitsConfig config_;
  LocalRateLimiter local_;
  std::unique_ptr<RedisRateLimiter> shared_;
  TokenBudgets budgets_;
};

}  // namespace agent_host::limits
