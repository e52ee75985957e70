// What a provider call produced, in the canonical shape of the "complete" method's result.
#pragma once

#include <agent_sdk/plugin.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace providers {

// One tool call the model asked for; `arguments` is JSON text.
struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;

  agent_sdk::Json to_json() const;  // {"id", "name", "arguments"}
};

struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::optional<std::int64_t> total_tokens;  // as the upstream reported it; else the sum
};

struct Completion {
  std::string text;
  std::vector<ToolCall> tool_calls;
  Usage usage;
  std::string model;          // as the upstream reported it
  std::string finish_reason;  // "stop" | "length" | "tool_calls" | "content_filter"

  // {"message": {"role": "assistant", "content": text, or null when there is no text but tool
  // calls, "tool_calls"?}, "usage", "model", "finish_reason"}
  agent_sdk::Json to_result() const;
};

// An OpenAI-style finish reason in canonical form. Empty (none reported) and "stop" become
// "tool_calls" when the message carries tool calls (OpenAI itself answers "stop" when a call was
// forced through tool_choice, and some compatible servers always do); "function_call" (legacy)
// is "tool_calls"; unknown values are "stop".
std::string canonical_finish_reason(std::string_view reason, bool has_tool_calls);

}  // namespace providers
