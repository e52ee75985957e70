// Token budgets per credential (API key or token issuer) and per agent: at most `tokens` in each
// fixed period aligned to the Unix epoch (a day from 00:00 UTC, say), so every host agrees on
// when a period ends without talking to the others. A turn is admitted while both budgets have
// tokens left (the turn that crosses the line completes: its size is unknown in advance); later
// turns get 429 token_budget_exceeded with Retry-After until the period ends.
//
// With Redis the counters are shared (the admission check is one MGET, the count one Lua
// script: INCRBY and PEXPIRE of both keys in one round trip); without it, or while Redis is
// down (fail open to the local counters, logged once), they live in process.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "agents/turn_meter.h"
#include "limits/limits_config.h"
#include "limits/rate_limiter.h"
#include "store/redis/redis_client.h"

namespace agent_host::limits {

class TokenBudgets : public agents::TurnMeter {
 public:
  // `redis` may be null (in process only).
  TokenBudgets(TokenBudget per_credential, TokenBudget per_agent, store::redis::RedisClient* redis,
               std::string key_prefix, MicrosClock clock = system_micros_clock());

  // Throws http::ApiError 429 "token_budget_exceeded" with Retry-After.
  void admit(const std::string& agent_id, const std::string& account) override;
  void record(const std::string& agent_id, const std::string& account,
              std::int64_t total_tokens) noexcept override;

 private:
  struct Counter {
    std::string key;  // includes the period's number
    const TokenBudget* budget;
    std::string what;     // "API key key:abc", "agent agent_alpha": for the error message
    std::int64_t ends_s;  // when the period ends (Unix seconds)
  };
  std::vector<Counter> counters(const std::string& agent_id, const std::string& account,
                                std::int64_t now_s) const;
  std::vector<std::int64_t> used(const std::vector<Counter>& counters);
  void add_local(const std::vector<Counter>& counters, std::int64_t tokens, std::int64_t now_s);
  void note_redis(bool ok, const char* error);

  const TokenBudget per_credential_;
  const TokenBudget per_agent_;
  store::redis::RedisClient* const redis_;
  const std::string key_prefix_;
  const MicrosClock clock_;
  std::atomic<bool> degraded_{false};

  std::mutex mutex_;
  struct Used {
    std::int64_t tokens = 0;
    std::int64_t ends_s = 0;
  };
  std::unordered_map<std::string, Used> local_;  // swept of ended periods as it grows
};

}  // namespace agent_host::limits
