// The GCRA arithmetic and the in-process limiter, driven by an injected clock (no sleeps).
#include <catch2/catch.hpp>

#include "limits/gcra.h"
#include "limits/local_rate_limiter.h"

using namespace agent_host::limits;

namespace {

constexpr std::int64_t kSecond = 1000000;

struct FakeClock {
  std::int64_t now = 1700000000LL * kSecond;
  MicrosClock clock() {
    return [this] { return now; };
  }
};

RateRule rule(std::int64_t requests, std::int64_t per_s, std::string name = "chat") {
  return RateRule{std::move(name), {"POST /agents/{id}/chat"}, requests, per_s};
}

}  // namespace

TEST_CASE(
    "gcra lets a fresh client burst its whole quota, then refuses with the wait until one "
    "more is allowed",
    "[limits][gcra]") {
  const GcraRate rate = GcraRate::of(60, 60);  // one a second
  CHECK(rate.interval_us == kSecond);
  std::int64_t backlog = 0;
  for (int i = 0; i < 60; ++i) {
    const RateDecision decision = gcra_decide(backlog, rate);
    REQUIRE(decision.allowed);
    CHECK(decision.limit == 60);
    CHECK(decision.remaining == 59 - i);
    CHECK(decision.reset_s == i + 1);
    backlog += rate.interval_us;
  }
  const RateDecision refused = gcra_decide(backlog, rate);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.remaining == 0);
  CHECK(refused.retry_after_s == 1);
  CHECK(refused.reset_s == 60);
  // Half a second later the next interval is still not free: Retry-After rounds up to 1 s.
  CHECK(gcra_decide(backlog - kSecond / 2, rate).allowed == false);
  CHECK(gcra_decide(backlog - kSecond, rate).allowed);
}

TEST_CASE("gcra rounds odd rates so that never more than the quota passes in a period",
          "[limits][gcra]") {
  const GcraRate rate = GcraRate::of(7, 60);
  std::int64_t backlog = 0;
  int allowed = 0;
  while (gcra_decide(backlog, rate).allowed) {
    backlog += rate.interval_us;
    ++allowed;
  }
  CHECK(allowed == 7);
  CHECK(gcra_decide(backlog, rate).retry_after_s >= 1);
}

TEST_CASE("the local limiter refuses the 61st chat in a minute and allows one more each second",
          "[limits][local]") {
  FakeClock time;
  LocalRateLimiter limiter(1000, time.clock());
  const RateRule chat = rule(60, 60);
  for (int i = 0; i < 60; ++i) REQUIRE(limiter.acquire(chat, "ip:10.0.0.1").allowed);
  const RateDecision refused = limiter.acquire(chat, "ip:10.0.0.1");
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after_s == 1);
  // A refused request does not push the client further back.
  time.now += kSecond;
  CHECK(limiter.acquire(chat, "ip:10.0.0.1").allowed);
  CHECK_FALSE(limiter.acquire(chat, "ip:10.0.0.1").allowed);
  // After a whole period the full quota is back.
  time.now += 60 * kSecond;
  const RateDecision fresh = limiter.acquire(chat, "ip:10.0.0.1");
  CHECK(fresh.allowed);
  CHECK(fresh.remaining == 59);
}

TEST_CASE("the local limiter keeps clients and rules apart", "[limits][local]") {
  FakeClock time;
  LocalRateLimiter limiter(1000, time.clock());
  const RateRule chat = rule(2, 60);
  const RateRule other = rule(2, 60, "other");
  CHECK(limiter.acquire(chat, "ip:a").allowed);
  CHECK(limiter.acquire(chat, "ip:a").allowed);
  CHECK_FALSE(limiter.acquire(chat, "ip:a").allowed);
  CHECK(limiter.acquire(chat, "ip:b").allowed);
  CHECK(limiter.acquire(other, "ip:a").allowed);
}

TEST_CASE(
    "the local limiter counts a request matching two rules all or nothing: when one refuses, "
    "the other's quota is not spent",
    "[limits][local]") {
  FakeClock time;
  LocalRateLimiter limiter(1000, time.clock());
  const RateRule narrow = rule(2, 60, "narrow");
  const RateRule wide = rule(5, 60, "wide");  // one per 12 s
  for (const auto& order : {std::vector<const RateRule*>{&narrow, &wide},
                            std::vector<const RateRule*>{&wide, &narrow}}) {
    const std::string client = order.front() == &narrow ? "ip:a" : "ip:b";
    const std::size_t n = order.front() == &narrow ? 0 : 1;  // narrow's place
    for (int i = 0; i < 2; ++i) REQUIRE(all_allowed(limiter.acquire_all(order, client)));
    for (int i = 0; i < 10; ++i) {
      const std::vector<RateDecision> decisions = limiter.acquire_all(order, client);
      REQUIRE(decisions.size() == 2);
      CHECK_FALSE(decisions[n].allowed);
      CHECK(decisions[n].retry_after_s == 30);
      const RateDecision& unspent = decisions[1 - n];
      CHECK(unspent.allowed);         // wide alone would have let it through...
      CHECK(unspent.remaining == 3);  // ...and still has its 3 of 5
      CHECK(unspent.reset_s == 24);
    }
    // The refused requests left wide exactly as two requests did.
    for (int i = 0; i < 3; ++i) CHECK(limiter.acquire(wide, client).allowed);
    CHECK_FALSE(limiter.acquire(wide, client).allowed);
  }
}

TEST_CASE("the local limiter's memory is bounded: idle keys are evicted, then the closest to idle",
          "[limits][local]") {
  FakeClock time;
  LocalRateLimiter limiter(3, time.clock());
  const RateRule chat = rule(10, 10);
  for (const char* client : {"a", "b", "c"}) REQUIRE(limiter.acquire(chat, client).allowed);
  CHECK(limiter.tracked_keys() == 3);
  // All three are idle after their interval: a new key sweeps them out.
  time.now += 2 * kSecond;
  CHECK(limiter.acquire(chat, "d").allowed);
  CHECK(limiter.tracked_keys() == 1);
  // Full of active keys: the one closest to idle goes, the table never grows past its bound.
  for (const char* client : {"e", "f", "g", "h"}) CHECK(limiter.acquire(chat, client).allowed);
  CHECK(limiter.tracked_keys() == 3);
}

TEST_CASE("rate rules match the method and route pattern they name, or every route with *",
          "[limits][config]") {
  const RateRule chat = default_rate_rules().front();
  CHECK(chat.name == "chat");
  CHECK(chat.requests == 60);
  CHECK(chat.per_s == 60);
  CHECK(chat.matches("POST", "/agents/{id}/chat"));
  CHECK(chat.matches("POST", "/v1/chat/completions"));
  CHECK(chat.matches("GET", "/agents/{id}/ws"));
  CHECK_FALSE(chat.matches("GET", "/agents/{id}/chat"));
  CHECK_FALSE(chat.matches("GET", "/agents"));
  CHECK(RateRule{"all", {"*"}, 1, 1}.matches("DELETE", "/conversations/{id}"));
}
