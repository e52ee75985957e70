#include "limits/rate_limit_filter.h"

#include <optional>

#include "http/api_error.h"
#include "limits/client_key.h"

namespace agent_host::limits {

http::RequestFilter make_rate_limit_filter(std::vector<RateRule> rules, RateLimiter& limiter) {
  return [rules = std::move(rules), &limiter](http::RequestContext& context) {
    const std::string& method = context.request().getMethod();
    std::string policies;
    std::string states;
    std::optional<RateDecision> refused;
    const RateRule* refused_rule = nullptr;
    std::string key;
    for (const RateRule& rule : rules) {
      if (!rule.matches(method, context.route_pattern())) continue;
      if (key.empty()) key = client_key(context);
      const RateDecision decision = limiter.acquire(rule, key);
      const std::string name = "\"" + rule.name + "\"";
      policies += (policies.empty() ? "" : ", ") + name + ";q=" + std::to_string(rule.requests) +
                  ";w=" + std::to_string(rule.per_s);
      states += (states.empty() ? "" : ", ") + name + ";r=" + std::to_string(decision.remaining) +
                ";t=" + std::to_string(decision.reset_s);
      if (!decision.allowed && (!refused || decision.retry_after_s > refused->retry_after_s)) {
        refused = decision;
        refused_rule = &rule;
      }
    }
    if (policies.empty()) return;
    context.response().set("RateLimit-Policy", policies);
    context.response().set("RateLimit", states);
    if (refused) {
      throw http::ApiError(429, "rate_limited",
                           "rate limit \"" + refused_rule->name + "\" exceeded: at most " +
                               std::to_string(refused_rule->requests) + " requests per " +
                               std::to_string(refused_rule->per_s) + " s; retry in " +
                               std::to_string(refused->retry_after_s) + " s",
                           static_cast<int>(refused->retry_after_s));
    }
  };
}

}  // namespace agent_host::limits
