#include "limits/rate_limit_filter.h"

#include "http/api_error.h"
#include "limits/client_key.h"

namespace agent_host::limits {

http::RequestFilter make_rate_limit_filter(std::vector<RateRule> rules, RateLimiter& limiter) {
  return [rules = std::move(rules), &limiter](http::RequestContext& context) {
    const std::string& method = context.request().getMethod();
    std::vector<const RateRule*> matching;
    for (const RateRule& rule : rules) {
      if (rule.matches(method, context.route_pattern())) matching.push_back(&rule);
    }
    if (matching.empty()) return;
    // One atomic check over every matching rule: a refused request spends no quota.
    const std::vector<RateDecision> decisions = limiter.acquire_all(matching, client_key(context));
    std::string policies;
    std::string states;
    const RateDecision* refused = nullptr;
    const RateRule* refused_rule = nullptr;
    for (std::size_t i = 0; i < matching.size(); ++i) {
      const RateRule& rule = *matching[i];
      const RateDecision& decision = decisions[i];
      const std::string name = "\"" + rule.name + "\"";
      policies += (policies.empty() ? "" : ", ") + name + ";q=" + std::to_string(rule.requests) +
                  ";w=" + std::to_string(rule.per_s);
      states += (states.empty() ? "" : ", ") + name + ";r=" + std::to_string(decision.remaining) +
                ";t=" + std::to_string(decision.reset_s);
      if (!decision.allowed && (!refused || decision.retry_after_s > refused->retry_after_s)) {
        refused = &decision;
        refused_rule = &rule;
      }
    }
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
