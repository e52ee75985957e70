#include "limits/local_rate_limiter.h"

#include <algorithm>
#include <chrono>

namespace agent_host::limits {
namespace {

constexpr std::size_t kSweepEvery = 4096;

}  // namespace

MicrosClock system_micros_clock() {
  return [] {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
}

LocalRateLimiter::LocalRateLimiter(std::size_t max_keys, MicrosClock clock)
    : max_keys_(std::max<std::size_t>(max_keys, 1)), clock_(std::move(clock)) {}

RateDecision LocalRateLimiter::acquire(const RateRule& rule, const std::string& client) {
  const GcraRate rate = GcraRate::of(rule.requests, rule.per_s);
  const std::int64_t now = clock_();
  std::string key = rule.name + '\n' + client;
  std::lock_guard lock(mutex_);
  if (++calls_since_sweep_ >= kSweepEvery) sweep(now);
  auto it = tat_.find(key);
  if (it == tat_.end() && tat_.size() >= max_keys_) {
    sweep(now);
    if (tat_.size() >= max_keys_) {
      tat_.erase(std::min_element(tat_.begin(), tat_.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      }));
    }
    it = tat_.end();  // the key is still absent; re-read end() after the erasures
  }
  const std::int64_t backlog = it == tat_.end() ? 0 : std::max<std::int64_t>(it->second - now, 0);
  const RateDecision decision = gcra_decide(backlog, rate);
  if (decision.allowed) {
    const std::int64_t tat = now + backlog + rate.interval_us;
    if (it == tat_.end()) {
      tat_.emplace(std::move(key), tat);
    } else {
      it->second = tat;
    }
  }
  return decision;
}

std::size_t LocalRateLimiter::tracked_keys() const {
  std::lock_guard lock(mutex_);
  return tat_.size();
}

void LocalRateLimiter::sweep(std::int64_t now) {
  calls_since_sweep_ = 0;
  std::erase_if(tat_, [now](const auto& entry) { return entry.second <= now; });
}

}  // namespace agent_host::limits
