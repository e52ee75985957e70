// GCRA in process: one TAT per (rule, client) in a mutex-guarded table with a bounded size.
// A key whose TAT has passed carries no state (a new client looks the same), so idle keys are
// dropped by a sweep every `sweep_every` calls and whenever the table is full; if it is still
// full (more than max_keys clients active within one period), the key closest to idle goes.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "limits/rate_limiter.h"

namespace agent_host::limits {

class LocalRateLimiter : public RateLimiter {
 public:
  explicit LocalRateLimiter(std::size_t max_keys, MicrosClock clock = system_micros_clock());

  std::vector<RateDecision> acquire_all(const std::vector<const RateRule*>& rules,
                                        const std::string& client) override;
  std::size_t tracked_keys() const;

 private:
  void sweep(std::int64_t now);
  void store(std::string key, std::int64_t tat, std::int64_t now);

  const std::size_t max_keys_;
  const MicrosClock clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::int64_t> tat_;  // "rule\nclient" -> TAT (us)
  std::size_t calls_since_sweep_ = 0;
};

}  // namespace agent_host::limits
