#include "common/retry_policy.hpp"

#include <algorithm>
#include <cmath>

#include "common/config_reader.hpp"

namespace providers {

using std::chrono::milliseconds;

RetryPolicy parse_retry_policy(const agent_sdk::Json& value, const std::string& where) {
  const ConfigReader reader(value, where, {"max_attempts", "initial_backoff_ms", "max_backoff_ms"});
  RetryPolicy policy;
  if (const auto n = reader.integer("max_attempts", 1, 10))
    policy.max_attempts = static_cast<int>(*n);
  if (const auto n = reader.integer("initial_backoff_ms", 0, 60000)) {
    policy.initial_backoff = milliseconds(*n);
  }
  if (const auto n = reader.integer("max_backoff_ms", 0, 300000)) {
    policy.max_backoff = milliseconds(*n);
  }
  if (policy.max_backoff < policy.initial_backoff) {
    reader.fail("max_backoff_ms", "must not be smaller than initial_backoff_ms (" +
                                      std::to_string(policy.initial_backoff.count()) + ")");
  }
  return policy;
}

milliseconds backoff_ceiling(const RetryPolicy& policy, int attempt) {
  milliseconds ceiling = policy.initial_backoff;
  // Doubling stops at the cap, so it cannot overflow however many attempts there were.
  for (int i = 1; i < attempt && ceiling < policy.max_backoff; ++i) ceiling *= 2;
  return std::min(ceiling, policy.max_backoff);
}

milliseconds retry_wait(const RetryPolicy& policy, int attempt,
                        std::optional<milliseconds> retry_after, double unit) {
  if (retry_after) return std::clamp(*retry_after, milliseconds(0), policy.max_backoff);
  const double draw = std::clamp(unit, 0.0, 1.0);
  const auto ceiling = backoff_ceiling(policy, attempt);
  return milliseconds(
      static_cast<std::int64_t>(std::floor(draw * static_cast<double>(ceiling.count()))));
}

}  // namespace providers
