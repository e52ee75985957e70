#include "limits/limits_config.h"

#include <algorithm>

namespace agent_host::limits {

bool RateRule::matches(const std::string& method, const std::string& pattern) const {
  return std::any_of(routes.begin(), routes.end(), [&](const std::string& route) {
    if (route == "*") return true;
    const auto space = route.find(' ');
    return route.compare(0, space, method) == 0 &&
           route.compare(space + 1, std::string::npos, pattern) == 0;
  });
}

std::vector<RateRule> default_rate_rules() {
  return {RateRule{"chat",
                   {"POST /agents/{id}/chat", "POST /v1/chat/completions", "GET /agents/{id}/ws"},
                   60,
                   60}};
}

}  // namespace agent_host::limits
