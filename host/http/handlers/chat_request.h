// Validation of the POST /agents/{id}/chat body, as the original design's ChatRequest:
// user_id 1..100 characters, message 1..4000 characters (code points, not bytes),
// conversation_id optional (a UUID), context optional (an object).
#pragma once

#include <nlohmann/json.hpp>

#include "agents/turn_pipeline.h"

namespace agent_host::http::handlers {

inline constexpr std::size_t kMaxUserIdChars = 100;
inline constexpr std::size_t kMaxMessageChars = 4000;

// Throws ApiError 422 naming the field and the rule it breaks.
agents::ChatRequest parse_chat_request(const nlohmann::json& body);

bool is_uuid(const std::string& text) noexcept;

}  // namespace agent_host::http::handlers
