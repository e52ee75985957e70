#include "limits/token_budgets.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "http/api_error.h"

namespace agent_host::limits {
namespace {

constexpr std::size_t kSweepAbove = 10000;

// KEYS: the counters; ARGV[1]: tokens; ARGV[i + 1]: the TTL (ms) of KEYS[i].
const store::redis::RedisScript& add_script() {
  static const store::redis::RedisScript script(R"lua(
for i, key in ipairs(KEYS) do
  redis.call('INCRBY', key, ARGV[1])
  redis.call('PEXPIRE', key, ARGV[i + 1])
end
return 1
)lua");
  return script;
}

}  // namespace

TokenBudgets::TokenBudgets(TokenBudget per_credential, TokenBudget per_agent,
                           store::redis::RedisClient* redis, std::string key_prefix,
                           MicrosClock clock)
    : per_credential_(per_credential),
      per_agent_(per_agent),
      redis_(redis),
      key_prefix_(std::move(key_prefix)),
      clock_(std::move(clock)) {}

std::vector<TokenBudgets::Counter> TokenBudgets::counters(const std::string& agent_id,
                                                          const std::string& account,
                                                          std::int64_t now_s) const {
  std::vector<Counter> out;
  const auto add = [&](const TokenBudget& budget, const std::string& scope, const std::string& id,
                       std::string what) {
    if (!budget.enabled() || id.empty()) return;
    const std::int64_t period = now_s / budget.period_s;
    out.push_back({key_prefix_ + "budget:" + scope + ":" + std::to_string(budget.period_s) + ":" +
                       std::to_string(period) + ":" + id,
                   &budget, std::move(what), (period + 1) * budget.period_s});
  };
  add(per_credential_, "credential", account, "the credential " + account);
  add(per_agent_, "agent", agent_id, "the agent " + agent_id);
  return out;
}

void TokenBudgets::note_redis(bool ok, const char* error) {
  if (ok) {
    if (degraded_.exchange(false)) {
      spdlog::info("limits: Redis is back; token budgets are shared across hosts again");
    }
  } else if (!degraded_.exchange(true)) {
    spdlog::warn("limits: Redis unavailable ({}); token budgets count on this host alone", error);
  }
}

std::vector<std::int64_t> TokenBudgets::used(const std::vector<Counter>& counters) {
  std::vector<std::int64_t> out(counters.size(), 0);
  if (redis_ != nullptr) {
    try {
      std::vector<std::string> args{"MGET"};
      for (const Counter& counter : counters) args.push_back(counter.key);
      const auto reply = redis_->command(args);
      for (std::size_t i = 0; i < counters.size() && i < reply.elements.size(); ++i) {
        const auto& element = reply.elements[i];
        if (element.type == store::redis::RedisReply::Type::string) {
          out[i] = std::stoll(element.string);
        }
      }
      note_redis(true, "");
      return out;
    } catch (const std::exception& e) {
      note_redis(false, e.what());
    }
  }
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < counters.size(); ++i) {
    const auto it = local_.find(counters[i].key);
    if (it != local_.end()) out[i] = it->second.tokens;
  }
  return out;
}

void TokenBudgets::admit(const std::string& agent_id, const std::string& account) {
  const std::int64_t now_s = clock_() / 1000000;
  const auto list = counters(agent_id, account, now_s);
  if (list.empty()) return;
  const auto spent = used(list);
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (spent[i] < list[i].budget->tokens) continue;
    const std::int64_t wait = std::max<std::int64_t>(list[i].ends_s - now_s, 1);
    throw http::ApiError(429, "token_budget_exceeded",
                         "the token budget of " + list[i].what + " (" +
                             std::to_string(list[i].budget->tokens) + " tokens per " +
                             std::to_string(list[i].budget->period_s) +
                             " s) is spent; it renews in " + std::to_string(wait) + " s",
                         static_cast<int>(std::min<std::int64_t>(wait, 1 << 30)));
  }
}

void TokenBudgets::add_local(const std::vector<Counter>& counters, std::int64_t tokens,
                             std::int64_t now_s) {
  std::lock_guard lock(mutex_);
  if (local_.size() > kSweepAbove) {
    std::erase_if(local_, [now_s](const auto& entry) { return entry.second.ends_s <= now_s; });
  }
  for (const Counter& counter : counters) {
    Used& entry = local_[counter.key];
    entry.tokens += tokens;
    entry.ends_s = counter.ends_s;
  }
}

void TokenBudgets::record(const std::string& agent_id, const std::string& account,
                          std::int64_t total_tokens) noexcept {
  if (total_tokens <= 0) return;
  try {
    const std::int64_t now_s = clock_() / 1000000;
    const auto list = counters(agent_id, account, now_s);
    if (list.empty()) return;
    if (redis_ != nullptr) {
      try {
        std::vector<std::string> keys;
        std::vector<std::string> args{std::to_string(total_tokens)};
        for (const Counter& counter : list) {
          keys.push_back(counter.key);
          args.push_back(std::to_string((counter.ends_s - now_s + 60) * 1000));
        }
        redis_->eval(add_script(), keys, args);
        note_redis(true, "");
        return;
      } catch (const std::exception& e) {
        note_redis(false, e.what());
      }
    }
    add_local(list, total_tokens, now_s);
  } catch (const std::exception& e) {
    spdlog::error("limits: could not count {} tokens of agent {}: {}", total_tokens, agent_id,
                  e.what());
  }
}

}  // namespace agent_host::limits
