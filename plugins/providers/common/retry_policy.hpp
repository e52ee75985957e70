// How often and how patiently a provider retries a failed upstream call: exponential backoff
// with full jitter (a uniform wait in [0, min(max, initial * 2^(n-1))]), so many clients that
// failed together do not come back together; a Retry-After from the upstream takes precedence.
#pragma once

#include <agent_sdk/plugin.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace providers {

struct RetryPolicy {
  int max_attempts = 3;  // including the first
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{8000};
};

// Reads {"max_attempts" 1..10, "initial_backoff_ms" 0..60000, "max_backoff_ms" 0..300000};
// absent keys keep their defaults. `where` names the object in messages ("openai config: retry").
RetryPolicy parse_retry_policy(const agent_sdk::Json& value, const std::string& where);

// The longest wait after failed attempt `attempt` (1-based): initial * 2^(attempt-1), capped at
// max_backoff.
std::chrono::milliseconds backoff_ceiling(const RetryPolicy& policy, int attempt);

// The wait before the attempt after `attempt`: the upstream's Retry-After when it sent one
// (capped at max_backoff), otherwise full jitter: `unit` (a random draw in [0, 1)) times the
// ceiling.
std::chrono::milliseconds retry_wait(const RetryPolicy& policy, int attempt,
                                     std::optional<std::chrono::milliseconds> retry_after,
                                     double unit);

}  // namespace providers
