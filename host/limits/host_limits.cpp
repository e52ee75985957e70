#include "limits/host_limits.h"

#include <spdlog/spdlog.h>

#include "limits/cors.h"
#include "limits/rate_limit_filter.h"

namespace agent_host::limits {

HostLimits::HostLimits(const LimitsConfig& config, store::redis::RedisClient* redis,
                       const std::string& key_prefix)
    : config_(config),
      local_(config.max_tracked_keys),
      budgets_(config.per_credential, config.per_agent, redis, key_prefix) {
  if (redis != nullptr) shared_ = std::make_unique<RedisRateLimiter>(*redis, key_prefix, local_);
  std::string rules;
  for (const RateRule& rule : config_.rate) {
    rules += (rules.empty() ? "" : ", ") + rule.name + " " + std::to_string(rule.requests) + "/" +
             std::to_string(rule.per_s) + "s";
  }
  spdlog::info(
      "limits: rate rules [{}] {}; token budgets: per credential {}, per agent {}; "
      "CORS {}",
      rules, redis != nullptr ? "shared in Redis" : "in process",
      config_.per_credential.enabled() ? std::to_string(config_.per_credential.tokens) + "/" +
                                             std::to_string(config_.per_credential.period_s) + "s"
                                       : "off",
      config_.per_agent.enabled() ? std::to_string(config_.per_agent.tokens) + "/" +
                                        std::to_string(config_.per_agent.period_s) + "s"
                                  : "off",
      config_.cors.enabled() ? "on" : "off (no origin allowed)");
}

void HostLimits::install(http::Router& router) {
  router.add_pre_route_filter(make_cors_filter(config_.cors));
  if (!config_.rate.empty()) {
    router.add_filter(make_rate_limit_filter(
        config_.rate, shared_ ? static_cast<RateLimiter&>(*shared_) : local_));
  }
}

}  // namespace agent_host::limits
