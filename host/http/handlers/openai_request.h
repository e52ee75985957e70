// Validation of POST /v1/chat/completions (the OpenAI Chat Completions request) into a turn on
// a client-owned transcript. Fields the host has no use for (seed, user, logprobs...) are
// accepted and ignored, as OpenAI-compatible servers do; fields it cannot honour (n > 1,
// non-text content parts) are refused with 422 rather than silently changed.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "agents/turn_pipeline.h"

namespace agent_host::http::handlers {

struct CompletionRequest {
  std::string model;  // the agent id
  agents::TranscriptRequest transcript;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
};

inline constexpr std::size_t kMaxTranscriptMessages = 1000;
inline constexpr std::size_t kMaxTools = 128;

// Throws ApiError (400/422) naming the field, with the OpenAI parameter name in the message.
CompletionRequest parse_completion_request(const nlohmann::json& body);

}  // namespace agent_host::http::handlers
