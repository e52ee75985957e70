// The "complete" method's input, validated: canonical messages (OpenAI chat shape), tools and
// per-call options. Both providers convert from this, so both refuse the same bad input with the
// same messages (AGENT_ERR_INVALID_INPUT).
#pragma once

#include <agent_sdk/plugin.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/completion.hpp"

namespace providers {

enum class Role { system, user, assistant, tool };

struct Message {
  Role role = Role::user;
  // Text: a string, null, or an array of {"type": "text", "text"} parts, joined. Empty for an
  // assistant message that only calls tools.
  std::string content;
  std::vector<ToolCall> tool_calls;  // assistant only
  std::string tool_call_id;          // tool only: the call this message answers
};

struct ToolSpec {
  std::string name;
  std::string description;
  agent_sdk::Json input_schema;  // a JSON Schema object; {"type": "object"} when none was given
};

// Model settings: the config's defaults, or one call's overrides of them.
struct ModelSettings {
  std::string model;
  std::optional<double> temperature;
  std::optional<std::int64_t> max_tokens;
};

struct Overrides {
  std::optional<std::string> model;
  std::optional<double> temperature;
  std::optional<std::int64_t> max_tokens;
};

struct CompletionInput {
  std::vector<Message> messages;
  std::vector<ToolSpec> tools;
  Overrides options;
};

// Validates and reads the input of "complete". `max_temperature` is the upstream's own bound
// (2 for OpenAI, 1 for Anthropic). Unknown keys are ignored, as the contract says.
CompletionInput parse_completion_input(const agent_sdk::Json& input, double max_temperature);

// `defaults` with the call's options applied.
ModelSettings apply(const ModelSettings& defaults, const Overrides& options);

}  // namespace providers
