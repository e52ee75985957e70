// The generic cell rate algorithm (GCRA), the rate limiters' arithmetic.
//
// Why GCRA rather than a sliding window: the whole state of a client is one timestamp, the
// "theoretical arrival time" (TAT), so the in-process table stays small and the Redis script is
// one GET and one SET per rule; it has no burst at window edges (a fixed window lets 2x the
// quota through around a boundary) and needs no per-request log (a sliding log stores every
// request). With `requests` per `period`, each request moves the TAT `interval` =
// period / requests ahead; a request is allowed while the TAT stays within `period` of now, so a
// fresh client may burst its whole quota, then gets one request per interval.
//
// Everything here is pure: the local limiter and the Redis script keep the TAT, this decides.
#pragma once

#include <cstdint>

namespace agent_host::limits {

struct RateDecision {
  bool allowed = false;
  std::int64_t limit = 0;          // the quota (requests per period)
  std::int64_t remaining = 0;      // requests still allowed right now
  std::int64_t reset_s = 0;        // seconds until the whole quota is available again
  std::int64_t retry_after_s = 0;  // when denied: seconds until one request is allowed (>= 1)
};

struct GcraRate {
  std::int64_t interval_us;  // period / requests
  std::int64_t period_us;
  std::int64_t requests;
  static GcraRate of(std::int64_t requests, std::int64_t period_s);
};

// `backlog_us` is max(TAT - now, 0) before the request: how far ahead of now the client's
// allowance is spent. Allowed when backlog + interval <= period; the caller then stores
// TAT = now + backlog + interval.
RateDecision gcra_decide(std::int64_t backlog_us, const GcraRate& rate);

// The same rule's state when it would have allowed the request but the request was not counted
// (another rule the request matches refused it): nothing spent, so one more remains and the
// quota is back when the existing backlog has passed.
RateDecision gcra_unspent(std::int64_t backlog_us, const GcraRate& rate);

}  // namespace agent_host::limits
