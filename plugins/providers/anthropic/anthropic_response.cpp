#include "anthropic/anthropic_response.hpp"

#include <cstdint>

#include "anthropic/anthropic_error.hpp"
#include "common/json_fields.hpp"
#include "common/limits.hpp"
#include "common/upstream_error.hpp"

namespace providers::anthropic {

using agent_sdk::Json;

std::string finish_reason_of(std::string_view stop_reason, bool has_tool_calls) {
  if (stop_reason == "max_tokens" || stop_reason == "model_context_window_exceeded") {
    return "length";
  }
  if (stop_reason == "tool_use") return "tool_calls";
  if (stop_reason == "refusal") return "content_filter";
  return has_tool_calls ? "tool_calls" : "stop";
}

void UsageCounters::merge(const Json& usage) {
  if (const auto n = integer_field(usage, "input_tokens")) input = *n;
  if (const auto n = integer_field(usage, "cache_creation_input_tokens")) cache_creation = *n;
  if (const auto n = integer_field(usage, "cache_read_input_tokens")) cache_read = *n;
  if (const auto n = integer_field(usage, "output_tokens")) output = *n;
}

Usage UsageCounters::to_usage() const {
  Usage usage;
  usage.prompt_tokens = input + cache_creation + cache_read;
  usage.completion_tokens = output;
  return usage;
}

Completion parse_response(const Json& body, const std::string& requested_model) {
  if (string_field(body, "type") == "error") {
    const auto error = body.find("error");
    const Json& detail = error != body.end() ? *error : body;
    throw error_for_type(string_field(detail, "type"), string_field(detail, "message"));
  }
  const auto content = body.find("content");
  if (content == body.end() || !content->is_array()) {
    throw malformed("anthropic", "the answer has no content array");
  }
  Completion completion;
  for (const Json& block : *content) {
    if (!block.is_object()) continue;
    const std::string type = string_field(block, "type");
    if (type == "text") {
      const auto text = block.find("text");
      if (text != block.end() && text->is_string()) completion.text += text->get<std::string>();
    } else if (type == "tool_use") {
      if (completion.tool_calls.size() >= kMaxToolCalls) {
        throw UpstreamError(
            AGENT_ERR_UPSTREAM,
            "anthropic: the answer has more than " + std::to_string(kMaxToolCalls) + " tool calls",
            false);
      }
      ToolCall call;
      call.id = string_field(block, "id");
      call.name = string_field(block, "name");
      if (call.id.empty() || call.name.empty()) {
        throw malformed("anthropic", "a tool_use block has no id or name");
      }
      const auto input = block.find("input");
      call.arguments = input != block.end() && input->is_object() ? input->dump() : "{}";
      completion.tool_calls.push_back(std::move(call));
    }
  }
  std::string stop_reason;
  if (const auto it = body.find("stop_reason"); it != body.end() && it->is_string()) {
    stop_reason = it->get<std::string>();
  }
  completion.finish_reason = finish_reason_of(stop_reason, !completion.tool_calls.empty());
  if (const auto usage = body.find("usage"); usage != body.end()) {
    UsageCounters counters;
    counters.merge(*usage);
    completion.usage = counters.to_usage();
  }
  if (const auto model = body.find("model"); model != body.end() && model->is_string()) {
    completion.model = model->get<std::string>();
  }
  if (completion.model.empty()) completion.model = requested_model;
  return completion;
}

}  // namespace providers::anthropic
