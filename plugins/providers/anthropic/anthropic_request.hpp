// Builds the Messages API request from the canonical input:
// - system messages (wherever they are) join, in order, into the top-level "system";
// - every message becomes content blocks: text, tool_use {id, name, input: the parsed arguments}
//   for assistant tool calls, tool_result {tool_use_id, content} in a user message for a tool
//   message;
// - consecutive messages of the same role merge into one (the API wants user and assistant to
//   alternate), tool_result blocks first in a user message as the API requires;
// - empty text blocks are dropped (the API refuses them), and so are messages left empty.
#pragma once

#include <agent_sdk/http.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "anthropic/anthropic_config.hpp"
#include "common/canonical_input.hpp"

namespace providers::anthropic {

struct ConvertedMessages {
  std::string system;        // "" when there is none
  agent_sdk::Json messages;  // [{"role": "user"|"assistant", "content": [block]}]
};

// Throws AGENT_ERR_INVALID_INPUT when tool-call arguments are not a JSON object, or when nothing
// but system messages is left.
ConvertedMessages convert_messages(const std::vector<Message>& messages);

// Tools as {"name", "description"?, "input_schema"}.
agent_sdk::Json convert_tools(const std::vector<ToolSpec>& tools);

// The request body; max_tokens is always present (the API requires it).
agent_sdk::Json build_body(const Config& config, const ModelSettings& settings,
                           const CompletionInput& input);

// {base_url}/v1/messages with x-api-key and anthropic-version.
agent_sdk::HttpRequest build_request(const Config& config, const agent_sdk::Json& body,
                                     const std::string& api_key, std::uint64_t call_id);

}  // namespace providers::anthropic
