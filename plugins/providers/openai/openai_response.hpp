// A whole (non-streamed) Chat Completion answer, and the pieces of one that streamed chunks
// share with it.
#pragma once

#include <agent_sdk/plugin.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "common/completion.hpp"

namespace providers::openai {

// {"prompt_tokens", "completion_tokens", "total_tokens"}; cached prompt tokens are already part
// of prompt_tokens in this API. Missing numbers count as zero.
Usage usage_of(const agent_sdk::Json& usage);

// choices[0].message (content, refusal, tool_calls), finish_reason, usage and model. Throws
// UpstreamError for an in-band {"error"}, a missing choice (retryable) or more than
// kMaxToolCalls tool calls.
Completion parse_response(const agent_sdk::Json& body, const std::string& requested_model);

}  // namespace providers::openai
