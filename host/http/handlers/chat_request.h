// Validation of the POST /agents/{id}/chat body, as the original design's ChatRequest:
// user_id 1..100 characters, message 1..4000 characters (code points, not bytes),
// conversation_id optional (a UUID), context optional (an object). With auth on the user is the
// principal: user_id may be left out, and when given must be the principal's subject.
#pragma once

#include <nlohmann/json.hpp>

#include "agents/turn_pipeline.h"
#include "security/principal.h"

namespace agent_host::http::handlers {

inline constexpr std::size_t kMaxUserIdChars = 100;
inline constexpr std::size_t kMaxMessageChars = 4000;

// Throws ApiError 422 naming the field and the rule it breaks, 403 `user_mismatch` when user_id
// names someone other than the principal.
agents::ChatRequest parse_chat_request(const nlohmann::json& body,
                                       const std::optional<security::Principal>& principal);

// With auth on, a user_id the client names (body or query) must be its own subject; admins may
// name anyone where `admin_may_name_others`. Throws ApiError 403 `user_mismatch`.
void check_named_user(const std::optional<security::Principal>& principal,
                      const std::string& user_id, bool admin_may_name_others);

bool is_uuid(const std::string& text) noexcept;

}  // namespace agent_host::http::handlers
