#include "limits/gcra.h"

#include <algorithm>

namespace agent_host::limits {
namespace {

constexpr std::int64_t kMicros = 1000000;

std::int64_t ceil_seconds(std::int64_t us) {
  return (std::max<std::int64_t>(us, 0) + kMicros - 1) / kMicros;
}

}  // namespace

GcraRate GcraRate::of(std::int64_t requests, std::int64_t period_s) {
  const std::int64_t period_us = period_s * kMicros;
  return {std::max<std::int64_t>(period_us / requests, 1), period_us, requests};
}

RateDecision gcra_decide(std::int64_t backlog_us, const GcraRate& rate) {
  RateDecision decision;
  decision.limit = rate.requests;
  backlog_us = std::max<std::int64_t>(backlog_us, 0);
  const std::int64_t after = backlog_us + rate.interval_us;
  if (after <= rate.period_us) {
    decision.allowed = true;
    decision.remaining = (rate.period_us - after) / rate.interval_us;
    decision.reset_s = ceil_seconds(after);
    return decision;
  }
  decision.remaining = 0;
  decision.reset_s = ceil_seconds(backlog_us);
  decision.retry_after_s = std::max<std::int64_t>(ceil_seconds(after - rate.period_us), 1);
  return decision;
}

RateDecision gcra_unspent(std::int64_t backlog_us, const GcraRate& rate) {
  RateDecision decision;
  decision.allowed = true;
  decision.limit = rate.requests;
  backlog_us = std::max<std::int64_t>(backlog_us, 0);
  decision.remaining = std::max<std::int64_t>((rate.period_us - backlog_us) / rate.interval_us, 0);
  decision.reset_s = ceil_seconds(backlog_us);
  return decision;
}

}  // namespace agent_host::limits
