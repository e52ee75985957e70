// Builds the Chat Completions request: the URL (OpenAI-compatible or Azure), the JSON body from
// the canonical input, and the headers (Bearer key, or Azure's api-key).
#pragma once

#include <agent_sdk/http.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/canonical_input.hpp"
#include "openai/openai_config.hpp"

namespace providers::openai {

// {base_url}/chat/completions, or Azure's deployment URL with its api-version.
std::string endpoint_url(const Config& config);

// Canonical messages in Chat Completions form: assistant tool calls become
// {"id", "type": "function", "function": {"name", "arguments"}}; an assistant message that only
// calls tools has content null.
agent_sdk::Json convert_messages(const std::vector<Message>& messages);

// Tools as {"type": "function", "function": {"name", "description"?, "parameters"}}.
agent_sdk::Json convert_tools(const std::vector<ToolSpec>& tools);

// The request body. Streaming asks for usage in the last chunk (stream_options.include_usage).
// On Azure the deployment chooses the model, so "model" is left out.
agent_sdk::Json build_body(const Config& config, const ModelSettings& settings,
                           const CompletionInput& input);

// The HTTP request for `body`. `api_key` is the secret's value, or nothing: then no
// authorization header at all (local servers need none).
agent_sdk::HttpRequest build_request(const Config& config, const agent_sdk::Json& body,
                                     const std::optional<std::string>& api_key,
                                     std::uint64_t call_id);

}  // namespace providers::openai
