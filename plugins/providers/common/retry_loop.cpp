#include "common/retry_loop.hpp"

#include <algorithm>
#include <optional>
#include <thread>

#include "common/upstream_error.hpp"

namespace providers {

namespace {

using agent_sdk::Error;
using std::chrono::milliseconds;

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* code_name(int32_t code) {
  switch (code) {
    case AGENT_ERR_INVALID_INPUT:
      return "INVALID_INPUT";
    case AGENT_ERR_UNSUPPORTED:
      return "UNSUPPORTED";
    case AGENT_ERR_UNAVAILABLE:
      return "UNAVAILABLE";
    case AGENT_ERR_TIMEOUT:
      return "TIMEOUT";
    case AGENT_ERR_CANCELLED:
      return "CANCELLED";
    case AGENT_ERR_UPSTREAM:
      return "UPSTREAM";
    default:
      return "INTERNAL";
  }
}

// Sleeps `wait`, waking every slice to check for cancellation.
void wait_cancellably(milliseconds wait, const RetryEnvironment& environment) {
  const auto until = std::chrono::steady_clock::now() + wait;
  const milliseconds slice = std::max(environment.sleep_slice, milliseconds(1));
  while (true) {
    if (environment.cancelled && environment.cancelled()) {
      throw Error(AGENT_ERR_CANCELLED, "cancelled by the host while waiting to retry");
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) return;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(until - now, slice));
  }
}

}  // namespace

Completion run_with_retries(const RetryPolicy& policy, const RetryEnvironment& environment,
                            const DeltaEmitter& emitter,
                            const std::function<Completion()>& attempt) {
  for (int number = 1;; ++number) {
    if (environment.cancelled && environment.cancelled()) {
      throw Error(AGENT_ERR_CANCELLED, "cancelled by the host");
    }
    try {
      return attempt();
    } catch (const Error& error) {
      if (error.code() == AGENT_ERR_CANCELLED) throw;
      if (emitter.emitted()) {
        if (!error.retryable()) throw;
        throw Error(error.code(),
                    std::string(error.what()) +
                        " (after part of the answer was streamed, so it "
                        "was not retried)",
                    false);
      }
      if (!error.retryable() || number >= policy.max_attempts) throw;

      const auto* upstream = dynamic_cast<const UpstreamError*>(&error);
      const std::optional<milliseconds> retry_after =
          upstream != nullptr ? upstream->retry_after() : std::nullopt;
      // An upstream that asks for a longer pause than this provider may take is not waited
      // for: the failure goes back now, still retryable, so the agent's fallback provider can
      // answer instead of the client waiting.
      if (retry_after && *retry_after > policy.max_backoff) {
        if (environment.warn) {
          environment.warn(environment.provider + ": the upstream asks to retry after " +
                           std::to_string(retry_after->count()) +
                           " ms, longer than max_backoff_ms (" +
                           std::to_string(policy.max_backoff.count()) + "); giving up");
        }
        throw;
      }
      const double draw = environment.random ? environment.random() : 1.0;
      const milliseconds wait = retry_wait(policy, number, retry_after, draw);
      // A wait that reaches the deadline leaves nothing for the next attempt: report the real
      // failure now rather than a timeout later.
      if (environment.deadline_unix_ms != 0 &&
          now_unix_ms() + wait.count() >= environment.deadline_unix_ms) {
        throw;
      }
      if (environment.warn) {
        const std::string what = upstream != nullptr && upstream->http_status() != 0
                                     ? "HTTP " + std::to_string(upstream->http_status())
                                     : code_name(error.code());
        environment.warn(environment.provider + ": attempt " + std::to_string(number) + " of " +
                         std::to_string(policy.max_attempts) + " failed (" + what +
                         "); retrying in " + std::to_string(wait.count()) + " ms" +
                         (retry_after ? " (Retry-After)" : ""));
      }
      wait_cancellably(wait, environment);
    }
  }
}

}  // namespace providers
