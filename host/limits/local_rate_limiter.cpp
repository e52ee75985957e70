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

bool all_allowed(const std::vector<RateDecision>& decisions) {
  return std::all_of(decisions.begin(), decisions.end(),
                     [](const RateDecision& decision) { return decision.allowed; });
}

std::vector<RateDecision> LocalRateLimiter::acquire_all(const std::vector<const RateRule*>& rules,
                                                        const std::string& client) {
  const std::int64_t now = clock_();
  std::vector<GcraRate> rates;
  std::vector<std::string> keys;
  for (const RateRule* rule : rules) {
    rates.push_back(GcraRate::of(rule->requests, rule->per_s));
    keys.push_back(rule->name + '\n' + client);
  }
  std::vector<RateDecision> decisions;
  std::vector<std::int64_t> backlogs;
  std::lock_guard lock(mutex_);
  if (++calls_since_sweep_ >= kSweepEvery) sweep(now);
  // Decide every rule first, then spend all of them or none.
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto it = tat_.find(keys[i]);
    backlogs.push_back(it == tat_.end() ? 0 : std::max<std::int64_t>(it->second - now, 0));
    decisions.push_back(gcra_decide(backlogs.back(), rates[i]));
  }
  if (!all_allowed(decisions)) {
    for (std::size_t i = 0; i < rules.size(); ++i) {
      if (decisions[i].allowed) decisions[i] = gcra_unspent(backlogs[i], rates[i]);
    }
    return decisions;
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    store(std::move(keys[i]), now + backlogs[i] + rates[i].interval_us, now);
  }
  return decisions;
}

void LocalRateLimiter::store(std::string key, std::int64_t tat, std::int64_t now) {
  if (const auto it = tat_.find(key); it != tat_.end()) {
    it->second = tat;
    return;
  }
  if (tat_.size() >= max_keys_) {
    sweep(now);
    if (tat_.size() >= max_keys_) {
      tat_.erase(std::min_element(tat_.begin(), tat_.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      }));
    }
  }
  tat_.emplace(std::move(key), tat);
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
