// The abuse limits an operator configures ("limits" and "cors" in host.json; README "Limits"):
// rate rules, token budgets and the CORS allow-list. Plain values; parsing is in
// app/limits_section.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace agent_host::limits {

// One rate limit: `requests` per `per_s` seconds for each client (principal, else IP), shared by
// every route it lists. "METHOD /pattern" names a route as the router knows it
// ("POST /agents/{id}/chat"); "*" matches every route.
struct RateRule {
  std::string name;  // the policy name in the RateLimit headers and the Redis key
  std::vector<std::string> routes;
  std::int64_t requests = 60;
  std::int64_t per_s = 60;

  bool matches(const std::string& method, const std::string& pattern) const;
};

// The original design's 60 chat requests a minute, shared by the three ways to chat: the native
// route, the OpenAI-compatible one and the WebSocket upgrade (a socket counts once; the turns it
// carries are bounded by token budgets).
std::vector<RateRule> default_rate_rules();

// `tokens` per `period_s`, counted in fixed periods aligned to the Unix epoch; 0 tokens: off.
struct TokenBudget {
  std::int64_t tokens = 0;
  std::int64_t period_s = 86400;
  bool enabled() const noexcept { return tokens > 0; }
};

struct CorsConfig {
  std::vector<std::string> allowed_origins;  // exact "scheme://host[:port]"; "*" for any
  std::vector<std::string> allowed_methods = {"GET", "POST", "PUT", "DELETE"};
  std::vector<std::string> allowed_headers = {"Authorization", "Content-Type", "X-Request-Id"};
  int max_age_s = 600;
  bool enabled() const noexcept { return !allowed_origins.empty(); }
};

struct LimitsConfig {
  std::vector<RateRule> rate = default_rate_rules();
  // Keys the in-process limiter tracks at most (idle keys are evicted first).
  std::size_t max_tracked_keys = 100000;
  TokenBudget per_credential;  // per API key / token issuer (Principal::credential)
  TokenBudget per_agent;
  CorsConfig cors;
};

}  // namespace agent_host::limits
