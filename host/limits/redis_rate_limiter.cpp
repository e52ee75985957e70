#include "limits/redis_rate_limiter.h"

#include <spdlog/spdlog.h>

namespace agent_host::limits {
namespace {

// KEYS: the client's TAT key of each rule. ARGV: interval_us and period_us of each rule, in
// the same order. Returns {spent, allowed_1, backlog_1, allowed_2, backlog_2, ...} where backlog
// is max(TAT - now, 0) before this request (gcra_decide does the rest in C++); the TATs move only
// when every rule allows (spent = 1).
const store::redis::RedisScript& gcra_script() {
  static const store::redis::RedisScript script(R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local out = {1}
local backlogs = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local period = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', key) or now)
  local backlog = math.max(tat - now, 0)
  backlogs[i] = backlog
  local allowed = 1
  if backlog + interval > period then
    allowed = 0
    out[1] = 0
  end
  out[2 * i] = allowed
  out[2 * i + 1] = backlog
end
if out[1] == 1 then
  for i, key in ipairs(KEYS) do
    local next_tat = backlogs[i] + tonumber(ARGV[2 * i - 1])
    redis.call('SET', key, string.format('%d', now + next_tat), 'PX', math.ceil(next_tat / 1000))
  end
end
return out
)lua");
  return script;
}

}  // namespace

RedisRateLimiter::RedisRateLimiter(store::redis::RedisClient& redis, std::string key_prefix,
                                   LocalRateLimiter& fallback)
    : redis_(redis), key_prefix_(std::move(key_prefix)), fallback_(fallback) {}

std::vector<RateDecision> RedisRateLimiter::acquire_all(const std::vector<const RateRule*>& rules,
                                                        const std::string& client) {
  std::vector<GcraRate> rates;
  std::vector<std::string> keys;
  std::vector<std::string> args;
  for (const RateRule* rule : rules) {
    rates.push_back(GcraRate::of(rule->requests, rule->per_s));
    keys.push_back(key_prefix_ + "ratelimit:" + rule->name + ":" + client);
    args.push_back(std::to_string(rates.back().interval_us));
    args.push_back(std::to_string(rates.back().period_us));
  }
  try {
    const auto reply = redis_.eval(gcra_script(), keys, args);
    if (reply.type != store::redis::RedisReply::Type::array ||
        reply.elements.size() != 1 + 2 * rules.size()) {
      throw store::redis::RedisCommandError("unexpected reply from the rate limit script");
    }
    if (degraded_.exchange(false)) {
      spdlog::info("limits: Redis is back; rate limits are shared across hosts again");
    }
    const bool spent = reply.elements[0].integer == 1;
    std::vector<RateDecision> decisions;
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const std::int64_t backlog = reply.elements[2 + 2 * i].integer;
      // Redis decided (another host may have moved the TAT meanwhile): its verdict stands.
      const bool allowed = reply.elements[1 + 2 * i].integer == 1;
      RateDecision decision =
          allowed && !spent ? gcra_unspent(backlog, rates[i]) : gcra_decide(backlog, rates[i]);
      decision.allowed = allowed;
      if (!allowed) {
        decision.remaining = 0;
        decision.retry_after_s = std::max<std::int64_t>(decision.retry_after_s, 1);
      }
      decisions.push_back(decision);
    }
    return decisions;
  } catch (const std::runtime_error& e) {
    if (!degraded_.exchange(true)) {
      spdlog::warn(
          "limits: Redis unavailable ({}); rate limits fall back to this host alone until it "
          "is back",
          e.what());
    }
    return fallback_.acquire_all(rules, client);
  }
}

}  // namespace agent_host::limits
