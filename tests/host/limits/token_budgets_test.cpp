// Token budgets in process, with an injected clock: admission, the 429 with Retry-After until the
// period ends, per credential and per agent apart.
#include "limits/token_budgets.h"

#include <catch2/catch.hpp>

#include "http/api_error.h"

using namespace agent_host::limits;
using agent_host::http::ApiError;

namespace {

constexpr std::int64_t kSecond = 1000000;

std::optional<ApiError> refusal(TokenBudgets& budgets, const std::string& agent,
                                const std::string& account) {
  try {
    budgets.admit(agent, account);
    return std::nullopt;
  } catch (const ApiError& e) {
    return e;
  }
}

}  // namespace

TEST_CASE("a spent per-agent token budget refuses turns with 429 until its period ends",
          "[limits][budgets]") {
  std::int64_t now = 3600 * kSecond * 1000;  // a period boundary for a 1 h period
  TokenBudgets budgets({}, TokenBudget{100, 3600}, nullptr, "", [&] { return now; });
  CHECK_FALSE(refusal(budgets, "alpha", "").has_value());
  budgets.record("alpha", "", 60);
  CHECK_FALSE(refusal(budgets, "alpha", "").has_value());  // 60 of 100: admitted
  budgets.record("alpha", "", 60);                         // the admitted turn may cross the line
  now += 600 * kSecond;
  const auto refused = refusal(budgets, "alpha", "");
  REQUIRE(refused.has_value());
  CHECK(refused->status() == 429);
  CHECK(refused->code() == "token_budget_exceeded");
  CHECK(refused->retry_after() == 3000);
  CHECK_THAT(refused->what(), Catch::Contains("agent alpha") && Catch::Contains("100 tokens"));
  CHECK_FALSE(refusal(budgets, "beta", "").has_value());  // another agent has its own budget
  now += 3000 * kSecond;                                  // the next period
  CHECK_FALSE(refusal(budgets, "alpha", "").has_value());
}

TEST_CASE(
    "a per-credential token budget counts every agent the credential uses, and anonymous "
    "turns have none",
    "[limits][budgets]") {
  std::int64_t now = 1000 * kSecond;
  TokenBudgets budgets(TokenBudget{50, 86400}, {}, nullptr, "", [&] { return now; });
  budgets.record("alpha", "key:k1", 30);
  budgets.record("beta", "key:k1", 30);
  const auto refused = refusal(budgets, "gamma", "key:k1");
  REQUIRE(refused.has_value());
  CHECK_THAT(refused->what(), Catch::Contains("credential key:k1"));
  CHECK(refused->retry_after() == 86400 - 1000);
  CHECK_FALSE(refusal(budgets, "alpha", "key:k2").has_value());
  budgets.record("alpha", "", 1000);
  CHECK_FALSE(refusal(budgets, "alpha", "").has_value());
}
