// Runs one provider call, retrying retryable failures as the policy allows: never once output
// went to the host (the client would see it twice), never past the call's deadline, and waiting
// in short slices so a cancelled call stops at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "common/completion.hpp"
#include "common/delta_emitter.hpp"
#include "common/retry_policy.hpp"

namespace providers {

struct RetryEnvironment {
  std::string provider;                          // names the plugin in messages and logs
  std::function<bool()> cancelled;               // Call::cancelled
  std::function<void(const std::string&)> warn;  // one log line per retry (no secrets, no bodies)
  std::function<double()> random;                // a draw in [0, 1) for the jitter
  std::int64_t deadline_unix_ms = 0;             // the call's deadline, 0 for none
  std::chrono::milliseconds sleep_slice{20};     // how often a wait checks for cancellation
};

// Calls `attempt` until it returns or fails for good. A failure is retried when it is an
// agent_sdk::Error marked retryable, nothing was emitted through `emitter`, attempts remain and
// the wait (Retry-After if an UpstreamError carries one, else full jitter) ends before the
// deadline. A failure after output was emitted is rethrown as not retryable. Cancellation during
// a wait throws AGENT_ERR_CANCELLED.
Completion run_with_retries(const RetryPolicy& policy, const RetryEnvironment& environment,
                            const DeltaEmitter& emitter,
                            const std::function<Completion()>& attempt);

}  // namespace providers
