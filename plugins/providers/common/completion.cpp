#include "common/completion.hpp"

namespace providers {

using agent_sdk::Json;

Json ToolCall::to_json() const { return {{"id", id}, {"name", name}, {"arguments", arguments}}; }

Json Completion::to_result() const {
  Json message = {{"role", "assistant"}};
  message["content"] = text.empty() && !tool_calls.empty() ? Json(nullptr) : Json(text);
  if (!tool_calls.empty()) {
    Json calls = Json::array();
    for (const ToolCall& call : tool_calls) calls.push_back(call.to_json());
    message["tool_calls"] = std::move(calls);
  }
  const std::int64_t total =
      usage.total_tokens.value_or(usage.prompt_tokens + usage.completion_tokens);
  return {{"message", std::move(message)},
          {"usage",
           {{"prompt_tokens", usage.prompt_tokens},
            {"completion_tokens", usage.completion_tokens},
            {"total_tokens", total}}},
          {"model", model},
          {"finish_reason", finish_reason}};
}

std::string canonical_finish_reason(std::string_view reason, bool has_tool_calls) {
  if (reason == "length" || reason == "content_filter") return std::string(reason);
  if (reason == "tool_calls" || reason == "function_call") return "tool_calls";
  return has_tool_calls ? "tool_calls" : "stop";
}

}  // namespace providers
