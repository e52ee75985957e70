#include "limits/redis_rate_limiter.h"

#include <spdlog/spdlog.h>

namespace agent_host::limits {
namespace {

// KEYS[1]: the client's TAT key. ARGV: interval_us, period_us. Returns {allowed, backlog_us}
// where backlog is max(TAT - now, 0) before this request (gcra_decide does the rest in C++).
const store::redis::RedisScript& gcra_script() {
  static const store::redis::RedisScript script(R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
local backlog = math.max(tat - now, 0)
if backlog + interval > period then
  return {0, backlog}
end
local ttl_ms = math.ceil((backlog + interval) / 1000)
redis.call('SET', KEYS[1], string.format('%d', now + backlog + interval), 'PX', ttl_ms)
return {1, backlog}
)lua");
  return script;
}

}  // namespace

RedisRateLimiter::RedisRateLimiter(store::redis::RedisClient& redis, std::string key_prefix,
                                   LocalRateLimiter& fallback)
    : redis_(redis), key_prefix_(std::move(key_prefix)), fallback_(fallback) {}

RateDecision RedisRateLimiter::acquire(const RateRule& rule, const std::string& client) {
  const GcraRate rate = GcraRate::of(rule.requests, rule.per_s);
  try {
    const auto reply =
        redis_.eval(gcra_script(), {key_prefix_ + "ratelimit:" + rule.name + ":" + client},
                    {std::to_string(rate.interval_us), std::to_string(rate.period_us)});
    if (reply.type != store::redis::RedisReply::Type::array || reply.elements.size() != 2) {
      throw store::redis::RedisCommandError("unexpected reply from the rate limit script");
    }
    if (degraded_.exchange(false)) {
      spdlog::info("limits: Redis is back; rate limits are shared across hosts again");
    }
    RateDecision decision = gcra_decide(reply.elements[1].integer, rate);
    // Redis decided (another host may have moved the TAT meanwhile): its verdict stands.
    decision.allowed = reply.elements[0].integer == 1;
    if (!decision.allowed) {
      decision.remaining = 0;
      decision.retry_after_s = std::max<std::int64_t>(decision.retry_after_s, 1);
    }
    return decision;
  } catch (const std::runtime_error& e) {
    if (!degraded_.exchange(true)) {
      spdlog::warn(
          "limits: Redis unavailable ({}); rate limits fall back to this host alone until it "
          "is back",
          e.what());
    }
    return fallback_.acquire(rule, client);
  }
}

}  // namespace agent_host::limits
