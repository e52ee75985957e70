// A whole (non-streamed) Messages API answer, and the mappings streamed events share with it.
#pragma once

#include <agent_sdk/plugin.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/completion.hpp"

namespace providers::anthropic {

// end_turn, stop_sequence, pause_turn -> "stop"; max_tokens, model_context_window_exceeded ->
// "length"; tool_use -> "tool_calls"; refusal -> "content_filter"; none or unknown -> "stop", or
// "tool_calls" when the message has tool calls.
std::string finish_reason_of(std::string_view stop_reason, bool has_tool_calls);

// Anthropic's token counters. The prompt is input_tokens plus the cache creation and cache read
// tokens (input_tokens counts only what was not cached); the completion is output_tokens.
struct UsageCounters {
  std::int64_t input = 0;
  std::int64_t cache_creation = 0;
  std::int64_t cache_read = 0;
  std::int64_t output = 0;

  // Takes the counters present in a usage object (message_start has all of them; message_delta
  // repeats some, cumulatively); absent ones keep their value.
  void merge(const agent_sdk::Json& usage);
  Usage to_usage() const;
};

// content (text and tool_use blocks; others such as thinking are skipped), stop_reason, usage
// and model. Throws UpstreamError for {"type": "error"} bodies, a missing content array
// (retryable) or more than kMaxToolCalls tool calls.
Completion parse_response(const agent_sdk::Json& body, const std::string& requested_model);

}  // namespace providers::anthropic
