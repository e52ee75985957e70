// Limits shared through a real redis-server: two in-process hosts exhaust one rate limit
// together, token budgets count across hosts, and with Redis down each host falls back to its
// own limiter (fail open to local) instead of refusing or failing chats.
#include <catch2/catch.hpp>

#include "http/api_error.h"
#include "limits/local_rate_limiter.h"
#include "limits/redis_rate_limiter.h"
#include "limits/token_budgets.h"
#include "support/redis_server.h"
#include "support/test_host.h"

using agent_host::app::HostConfig;
using agent_host::limits::RateRule;
using agent_test::post_json;
using namespace std::chrono_literals;

namespace {

// A response header's value, "" when absent.
std::string header(const agent_test::HttpResult& result, const std::string& name) {
  const auto it = result.headers.find(name);
  return it == result.headers.end() ? std::string() : it->second;
}

std::function<void(HostConfig&)> sharing(const agent_test::RedisServer& redis,
                                         std::vector<RateRule> rules) {
  return [&redis, rules](HostConfig& config) {
    agent_host::app::RedisConfig shared;
    shared.connection.port = static_cast<int>(redis.port());
    shared.connection.check_interval = 200ms;
    shared.connection.command_timeout = 300ms;
    config.redis = shared;
    config.limits.rate = rules;
  };
}

nlohmann::json chat_body() { return {{"user_id", "alice"}, {"message", "hello"}}; }

agent_host::store::redis::RedisOptions options_for(const agent_test::RedisServer& server) {
  agent_host::store::redis::RedisOptions options;
  options.port = static_cast<int>(server.port());
  options.check_interval = 200ms;
  options.command_timeout = 300ms;
  return options;
}

bool wait_until_up(const agent_host::store::redis::RedisClient& client) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!client.status().ok) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// A real redis-server, a client of it and a rate limiter sharing through it (keys "t:...")
// with its local fallback.
struct SharedLimiter {
  SharedLimiter() { REQUIRE(wait_until_up(client)); }
  agent_test::RedisServer redis;
  agent_host::store::redis::RedisClient client{options_for(redis)};
  agent_host::limits::LocalRateLimiter local{100};
  agent_host::limits::RedisRateLimiter limiter{client, "t:", local};
};

}  // namespace

TEST_CASE(
    "rate limit across two hosts sharing Redis: requests to either host exhaust one "
    "shared limit",
    "[limits][redis][http]") {
  agent_test::RedisServer redis;
  const std::vector<RateRule> rules{RateRule{"chat", {"POST /agents/{id}/chat"}, 6, 60}};
  agent_test::TestHost first(sharing(redis, rules));
  agent_test::TestHost second(sharing(redis, rules));
  // Alternate between the hosts: 6 allowed in all, not 6 each.
  int allowed = 0;
  for (int i = 0; i < 6; ++i) {
    const auto result =
        post_json(i % 2 == 0 ? first.port() : second.port(), "/agents/fx/chat", chat_body());
    INFO(result.body);
    CHECK(result.status == 200);
    CHECK(header(result, "RateLimit") ==
          "\"chat\";r=" + std::to_string(5 - i) + ";t=" + std::to_string((i + 1) * 10));
    allowed += result.status == 200;
  }
  CHECK(allowed == 6);
  for (const unsigned port : {first.port(), second.port()}) {
    const auto refused = post_json(port, "/agents/fx/chat", chat_body());
    CHECK(refused.status == 429);
    CHECK(refused.json["error"]["code"] == "rate_limited");
    const int wait = std::stoi(header(refused, "Retry-After"));
    CHECK(wait >= 1);
    CHECK(wait <= 10);
  }
  // The state is one key per client and rule in Redis, with an expiry.
  agent_host::store::redis::RedisClient client(options_for(redis));
  REQUIRE(wait_until_up(client));
  const auto keys = client.command({"KEYS", "agent-host:ratelimit:chat:*"});
  REQUIRE(keys.elements.size() == 1);
  CHECK(keys.elements[0].string == "agent-host:ratelimit:chat:ip:127.0.0.1");
  CHECK(client.command({"PTTL", keys.elements[0].string}).integer > 0);
}

TEST_CASE(
    "with Redis down the rate limiter falls back to this host's own limiter and shares "
    "again when Redis is back",
    "[limits][redis]") {
  SharedLimiter shared;
  auto& [redis, client, local, limiter] = shared;
  const RateRule rule{"r", {"*"}, 2, 60};

  CHECK(limiter.acquire(rule, "ip:x").allowed);
  redis.stop();
  // Fail open to local: the local limiter starts empty, so this host allows its own quota...
  CHECK(limiter.acquire(rule, "ip:x").allowed);
  CHECK(limiter.acquire(rule, "ip:x").allowed);
  // ...and still limits.
  CHECK_FALSE(limiter.acquire(rule, "ip:x").allowed);

  redis.start();
  REQUIRE(wait_until_up(client));
  // Redis (restarted without persistence) decides again.
  CHECK(limiter.acquire(rule, "ip:y").allowed);
  CHECK(limiter.acquire(rule, "ip:y").allowed);
  CHECK_FALSE(limiter.acquire(rule, "ip:y").allowed);
  CHECK(client.command({"EXISTS", "t:ratelimit:r:ip:y"}).integer == 1);
}

TEST_CASE(
    "through Redis a request matching two rules spends both quotas or neither, in one script "
    "call",
    "[limits][redis]") {
  SharedLimiter shared;
  auto& [redis, client, local, limiter] = shared;
  const RateRule wide{"wide", {"*"}, 5, 60};  // one per 12 s
  const RateRule narrow{"narrow", {"*"}, 2, 60};
  const std::vector<const RateRule*> both{&wide, &narrow};
  // Calls of EVALSHA and EVAL so far.
  const auto script_calls = [&client = shared.client] {
    const std::string info = client.command({"INFO", "commandstats"}).string;
    long total = 0;
    for (const std::string name : {"cmdstat_evalsha:calls=", "cmdstat_eval:calls="}) {
      const auto at = info.find(name);
      if (at != std::string::npos) total += std::stol(info.substr(at + name.size()));
    }
    return total;
  };
  REQUIRE(agent_host::limits::all_allowed(limiter.acquire_all(both, "ip:a")));
  const long calls_before = script_calls();  // the script is loaded now (EVAL on NOSCRIPT)
  REQUIRE(agent_host::limits::all_allowed(limiter.acquire_all(both, "ip:a")));
  const std::string wide_key = "t:ratelimit:wide:ip:a";
  const std::string wide_tat = client.command({"GET", wide_key}).string;
  REQUIRE_FALSE(wide_tat.empty());
  for (int i = 0; i < 5; ++i) {
    const auto decisions = limiter.acquire_all(both, "ip:a");
    REQUIRE(decisions.size() == 2);
    CHECK_FALSE(decisions[1].allowed);
    CHECK(decisions[1].retry_after_s >= 29);
    CHECK(decisions[0].allowed);  // wide alone would have allowed it, and was not spent
    CHECK(decisions[0].remaining == 3);
  }
  CHECK(client.command({"GET", wide_key}).string == wide_tat);
  CHECK(script_calls() - calls_before == 6);  // one round trip per request, both rules in it
  for (int i = 0; i < 3; ++i) CHECK(limiter.acquire(wide, "ip:a").allowed);
  CHECK_FALSE(limiter.acquire(wide, "ip:a").allowed);
  CHECK(local.tracked_keys() == 0);  // Redis decided every time
}

TEST_CASE("token budgets are shared through Redis: tokens spent on one host count on another",
          "[limits][redis][budgets]") {
  agent_test::RedisServer redis;
  agent_host::store::redis::RedisClient client_a(options_for(redis));
  agent_host::store::redis::RedisClient client_b(options_for(redis));
  REQUIRE(wait_until_up(client_a));
  REQUIRE(wait_until_up(client_b));
  const agent_host::limits::TokenBudget budget{100, 3600};
  agent_host::limits::TokenBudgets host_a(budget, budget, &client_a, "p:");
  agent_host::limits::TokenBudgets host_b(budget, budget, &client_b, "p:");

  host_a.admit("alpha", "key:k");
  host_a.record("alpha", "key:k", 70);
  host_b.admit("alpha", "key:k");
  host_b.record("beta", "key:k", 40);  // the credential is at 110 now; agent alpha at 70
  try {
    host_a.admit("gamma", "key:k");
    FAIL("the spent credential budget was not enforced");
  } catch (const agent_host::http::ApiError& e) {
    CHECK(e.status() == 429);
    CHECK(e.code() == "token_budget_exceeded");
    CHECK(e.retry_after().value_or(0) >= 1);
  }
  host_b.admit("alpha", "key:other");  // alpha's agent budget still has 30 left
  // The counters expire with their period.
  const auto keys = client_a.command({"KEYS", "p:budget:*"});
  CHECK(keys.elements.size() == 3);
  for (const auto& key : keys.elements) {
    CHECK(client_a.command({"PTTL", key.string}).integer > 0);
  }
}
