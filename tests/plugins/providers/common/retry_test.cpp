#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/retry_loop.hpp"
#include "common/retry_policy.hpp"
#include "common/upstream_error.hpp"

using namespace providers;
using agent_sdk::Error;
using agent_sdk::Json;
using std::chrono::milliseconds;

namespace {

RetryPolicy policy(int attempts, int initial_ms, int max_ms) {
  RetryPolicy p;
  p.max_attempts = attempts;
  p.initial_backoff = milliseconds(initial_ms);
  p.max_backoff = milliseconds(max_ms);
  return p;
}

Completion done(const std::string& text) {
  Completion c;
  c.text = text;
  c.finish_reason = "stop";
  return c;
}

struct Recorder {
  std::vector<std::string> warnings;
  std::atomic<bool> cancel{false};

  RetryEnvironment environment() {
    RetryEnvironment e;
    e.provider = "test";
    e.cancelled = [this] { return cancel.load(); };
    e.warn = [this](const std::string& line) { warnings.push_back(line); };
    e.random = [] { return 0.5; };
    e.sleep_slice = milliseconds(5);
    return e;
  }
};

UpstreamError unavailable(int status, std::optional<milliseconds> retry_after = std::nullopt) {
  return UpstreamError(AGENT_ERR_UNAVAILABLE, "test: upstream unavailable", true, status,
                       retry_after);
}

}  // namespace

TEST_CASE("the backoff ceiling doubles from initial_backoff up to max_backoff",
          "[plugins][providers][retry]") {
  const RetryPolicy p = policy(10, 500, 8000);
  CHECK(backoff_ceiling(p, 1) == milliseconds(500));
  CHECK(backoff_ceiling(p, 2) == milliseconds(1000));
  CHECK(backoff_ceiling(p, 3) == milliseconds(2000));
  CHECK(backoff_ceiling(p, 5) == milliseconds(8000));
  CHECK(backoff_ceiling(p, 6) == milliseconds(8000));
  CHECK(backoff_ceiling(p, 1000) == milliseconds(8000));  // no overflow
  CHECK(backoff_ceiling(policy(3, 0, 0), 3) == milliseconds(0));
}

TEST_CASE("full jitter draws the wait uniformly below the ceiling, Retry-After is capped",
          "[plugins][providers][retry]") {
  const RetryPolicy p = policy(5, 500, 8000);
  CHECK(retry_wait(p, 1, std::nullopt, 0.0) == milliseconds(0));
  CHECK(retry_wait(p, 1, std::nullopt, 0.5) == milliseconds(250));
  CHECK(retry_wait(p, 3, std::nullopt, 0.5) == milliseconds(1000));
  CHECK(retry_wait(p, 3, std::nullopt, 0.999) == milliseconds(1998));
  // Retry-After replaces the jitter, capped at max_backoff.
  CHECK(retry_wait(p, 1, milliseconds(3000), 0.0) == milliseconds(3000));
  CHECK(retry_wait(p, 1, milliseconds(60000), 0.0) == milliseconds(8000));
  CHECK(retry_wait(p, 1, milliseconds(0), 0.9) == milliseconds(0));
}

TEST_CASE("retry settings are validated strictly", "[plugins][providers][retry]") {
  CHECK(parse_retry_policy(Json::object(), "x: retry").max_attempts == 3);
  const RetryPolicy p = parse_retry_policy(
      {{"max_attempts", 5}, {"initial_backoff_ms", 100}, {"max_backoff_ms", 1000}}, "x: retry");
  CHECK(p.max_attempts == 5);
  CHECK(p.initial_backoff == milliseconds(100));
  CHECK(p.max_backoff == milliseconds(1000));
  CHECK_THROWS_WITH(parse_retry_policy({{"max_attempts", 0}}, "x: retry"),
                    "x: retry: \"max_attempts\" must be an integer from 1 to 10");
  CHECK_THROWS_WITH(parse_retry_policy({{"max_attempts", 2.5}}, "x: retry"),
                    Catch::Contains("must be an integer"));
  CHECK_THROWS_WITH(
      parse_retry_policy({{"initial_backoff_ms", 2000}, {"max_backoff_ms", 1000}}, "x: retry"),
      Catch::Contains("must not be smaller than initial_backoff_ms"));
  CHECK_THROWS_WITH(parse_retry_policy({{"attempts", 2}}, "x: retry"),
                    Catch::Contains("unknown key \"attempts\""));
  CHECK_THROWS_WITH(parse_retry_policy(5, "x: retry"), "x: retry must be a JSON object");
}

TEST_CASE("a retryable failure is retried until an attempt succeeds, with a warning each time",
          "[plugins][providers][retry]") {
  Recorder recorder;
  DeltaEmitter emitter([](const Json&) { return true; });
  int calls = 0;
  const Completion result = run_with_retries(policy(3, 2, 8), recorder.environment(), emitter, [&] {
    if (++calls < 3) throw unavailable(503);
    return done("ok");
  });
  CHECK(result.text == "ok");
  CHECK(calls == 3);
  REQUIRE(recorder.warnings.size() == 2);
  CHECK(recorder.warnings[0] == "test: attempt 1 of 3 failed (HTTP 503); retrying in 1 ms");
  CHECK(recorder.warnings[1] == "test: attempt 2 of 3 failed (HTTP 503); retrying in 2 ms");
}

TEST_CASE("the last failure is reported when every attempt fails", "[plugins][providers][retry]") {
  Recorder recorder;
  DeltaEmitter emitter([](const Json&) { return true; });
  int calls = 0;
  try {
    run_with_retries(policy(3, 1, 1), recorder.environment(), emitter, [&]() -> Completion {
      ++calls;
      throw Error(AGENT_ERR_TIMEOUT, "timed out " + std::to_string(calls), true);
    });
    FAIL("no exception");
  } catch (const Error& e) {
    CHECK(e.code() == AGENT_ERR_TIMEOUT);
    CHECK(std::string(e.what()) == "timed out 3");
    CHECK(e.retryable());
  }
  CHECK(calls == 3);
  CHECK_THAT(recorder.warnings.at(0), Catch::Contains("failed (TIMEOUT)"));
}

TEST_CASE("a failure that is not retryable is not retried", "[plugins][providers][retry]") {
  Recorder recorder;
  DeltaEmitter emitter([](const Json&) { return true; });
  int calls = 0;
  CHECK_THROWS_AS(run_with_retries(policy(5, 1, 1), recorder.environment(), emitter,
                                   [&]() -> Completion {
                                     ++calls;
                                     throw UpstreamError(AGENT_ERR_UPSTREAM, "bad request", false,
                                                         400);
                                   }),
                  UpstreamError);
  CHECK(calls == 1);
  CHECK(recorder.warnings.empty());
}

TEST_CASE("nothing is retried once a delta went out, and the error says why",
          "[plugins][providers][retry]") {
  Recorder recorder;
  DeltaEmitter emitter([](const Json&) { return true; });
  int calls = 0;
  try {
    run_with_retries(policy(5, 1, 1), recorder.environment(), emitter, [&]() -> Completion {
      ++calls;
      emitter.text("partial answer");
      throw unavailable(0);
    });
    FAIL("no exception");
  } catch (const Error& e) {
    CHECK(e.code() == AGENT_ERR_UNAVAILABLE);
    CHECK_FALSE(e.retryable());  // output already went to the client
    CHECK_THAT(e.what(), Catch::Contains("after part of the answer was streamed"));
  }
  CHECK(calls == 1);
}

TEST_CASE("Retry-After sets the wait when it is within max_backoff",
          "[plugins][providers][retry]") {
  Recorder recorder;
  DeltaEmitter emitter([](const Json&) { return true; });
  int calls = 0;
  const auto start = std::chrono::steady_clock::now();
  run_with_retries(policy(3, 1, 5000), recorder.environment(), emitter, [&] {
    if (++calls == 1) throw unavailable(429, milliseconds(60));
    return done("ok");
  });
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed >= milliseconds(60));
  CHECK(elapsed < milliseconds(2000));
  REQUIRE(recorder.warnings.size() == 1);
  CHECK(recorder.warnings[0] ==
        "test: attempt 1 of 3 failed (HTTP 429); retrying in 60 ms (Retry-After)");
}

TEST_CASE(
    "a Retry-After longer than max_backoff is not waited for: the failure goes back "
    "retryable, for the fallback chain",
    "[plugins][providers][retry]") {
  Recorder recorder;
  DeltaEmitter emitter([](const Json&) { return true; });
  int calls = 0;
  const auto start = std::chrono::steady_clock::now();
  try {
    run_with_retries(policy(3, 1, 60), recorder.environment(), emitter, [&]() -> Completion {
      ++calls;
      throw unavailable(429, milliseconds(10000));
    });
    FAIL("expected the 429 to be reported");
  } catch (const UpstreamError& e) {
    CHECK(e.retryable());
    CHECK(e.http_status() == 429);
  }
  CHECK(calls == 1);
  CHECK(std::chrono::steady_clock::now() - start < milliseconds(1000));
  REQUIRE(recorder.warnings.size() == 1);
  CHECK(recorder.warnings[0] ==
        "test: the upstream asks to retry after 10000 ms, longer than max_backoff_ms (60); "
        "giving up");
}

TEST_CASE("a wait that would pass the call's deadline is not taken",
          "[plugins][providers][retry]") {
  Recorder recorder;
  RetryEnvironment environment = recorder.environment();
  environment.deadline_unix_ms =
      std::chrono::duration_cast<milliseconds>(
          (std::chrono::system_clock::now() + milliseconds(100)).time_since_epoch())
          .count();
  DeltaEmitter emitter([](const Json&) { return true; });
  int calls = 0;
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(run_with_retries(policy(3, 1, 5000), environment, emitter,
                                   [&]() -> Completion {
                                     ++calls;
                                     throw unavailable(503, milliseconds(3000));
                                   }),
                  UpstreamError);
  CHECK(calls == 1);
  CHECK(std::chrono::steady_clock::now() - start < milliseconds(1000));
}

TEST_CASE("cancellation during a wait stops the call promptly", "[plugins][providers][retry]") {
  Recorder recorder;
  DeltaEmitter emitter([](const Json&) { return true; });
  int calls = 0;
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(50));
    recorder.cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  try {
    run_with_retries(policy(3, 5000, 5000), recorder.environment(), emitter, [&]() -> Completion {
      ++calls;
      throw unavailable(503, milliseconds(5000));
    });
    FAIL("no exception");
  } catch (const Error& e) {
    CHECK(e.code() == AGENT_ERR_CANCELLED);
  }
  canceller.join();
  CHECK(calls == 1);
  CHECK(std::chrono::steady_clock::now() - start < milliseconds(1000));
}

TEST_CASE("a cancelled attempt is never retried", "[plugins][providers][retry]") {
  Recorder recorder;
  DeltaEmitter emitter([](const Json&) { return true; });
  int calls = 0;
  CHECK_THROWS_AS(run_with_retries(policy(3, 1, 1), recorder.environment(), emitter,
                                   [&]() -> Completion {
                                     ++calls;
                                     throw Error(AGENT_ERR_CANCELLED, "cancelled", true);
                                   }),
                  Error);
  CHECK(calls == 1);
}

TEST_CASE("the emitter counts a delta as out and turns a refusal into CANCELLED",
          "[plugins][providers][retry]") {
  std::vector<Json> seen;
  DeltaEmitter emitter([&](const Json& delta) {
    seen.push_back(delta);
    return seen.size() < 2;
  });
  emitter.text("");  // nothing to send
  CHECK_FALSE(emitter.emitted());
  emitter.text("Hel");
  CHECK(emitter.emitted());
  try {
    emitter.tool_call(0, ToolCall{"call_1", "lookup", "{\"q\":1}"});
    FAIL("no exception");
  } catch (const Error& e) {
    CHECK(e.code() == AGENT_ERR_CANCELLED);
  }
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == Json{{"type", "text"}, {"text", "Hel"}});
  CHECK(seen[1] == Json{{"type", "tool_call"},
                        {"index", 0},
                        {"id", "call_1"},
                        {"name", "lookup"},
                        {"arguments", "{\"q\":1}"}});
}
