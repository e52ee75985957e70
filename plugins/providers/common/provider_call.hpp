// The frame every network provider's "complete" shares: deltas go to the host through the call,
// failures are retried per the policy with the host's log, the call's cancellation and its
// deadline, and nothing is attempted on a host without an HTTP client.
#pragma once

#include <agent_sdk/http.hpp>
#include <agent_sdk/plugin.hpp>
#include <functional>
#include <string>

#include "common/completion.hpp"
#include "common/delta_emitter.hpp"
#include "common/retry_policy.hpp"

namespace providers {

// Throws AGENT_ERR_UNSUPPORTED when the host offers no HTTP client (an ABI 1.0 host, or a 1.1
// host whose agent_host_api.http is NULL).
void require_http_client(const agent_sdk::HttpClient& client, const std::string& provider);

// Runs `attempt` (one upstream exchange, emitting through the emitter it is given) under
// run_with_retries. JSON type errors while reading an answer become retryable UPSTREAM errors
// (the upstream sent an unexpected shape; the input was already validated).
Completion run_call(const std::string& provider, const agent_sdk::Host& host, agent_sdk::Call& call,
                    const RetryPolicy& policy,
                    const std::function<Completion(DeltaEmitter&)>& attempt);

}  // namespace providers
