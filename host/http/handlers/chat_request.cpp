#include "http/handlers/chat_request.h"

#include <cctype>

#include "http/api_error.h"
#include "http/utf8.h"

namespace agent_host::http::handlers {
namespace {

std::string text_field(const nlohmann::json& body, const char* name, std::size_t max_chars) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    throw ApiError(422, "invalid_request", std::string("\"") + name + "\" is required");
  }
  if (!it->is_string()) {
    throw ApiError(422, "invalid_request", std::string("\"") + name + "\" must be a string");
  }
  const std::string& value = it->get_ref<const std::string&>();
  const std::size_t chars = utf8_length(value).value_or(0);
  if (chars == 0 || chars > max_chars) {
    throw ApiError(422, "invalid_request",
                   std::string("\"") + name + "\" must be 1.." + std::to_string(max_chars) +
                       " characters (got " + std::to_string(chars) + ")");
  }
  return value;
}

}  // namespace

bool is_uuid(const std::string& text) noexcept {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

void check_named_user(const std::optional<security::Principal>& principal,
                      const std::string& user_id, bool admin_may_name_others) {
  if (!principal || user_id == principal->subject) return;
  if (admin_may_name_others && principal->has_role("admin")) return;
  throw ApiError(403, "user_mismatch",
                 "user_id must be the authenticated user's own id (or be left out)");
}

agents::ChatRequest parse_chat_request(const nlohmann::json& body,
                                       const std::optional<security::Principal>& principal) {
  if (!body.is_object()) throw ApiError(422, "invalid_request", "the body must be a JSON object");
  agents::ChatRequest request;
  if (principal) {
    // The identity is the credential's; a user_id in the body is only checked against it.
    if (const auto it = body.find("user_id"); it != body.end() && !it->is_null()) {
      check_named_user(principal, text_field(body, "user_id", kMaxUserIdChars), false);
    }
    request.user_id = principal->subject;
    request.tenant = principal->tenant;
  } else {
    request.user_id = text_field(body, "user_id", kMaxUserIdChars);
  }
  request.message = text_field(body, "message", kMaxMessageChars);
  if (const auto it = body.find("conversation_id"); it != body.end() && !it->is_null()) {
    if (!it->is_string() || !is_uuid(it->get<std::string>())) {
      throw ApiError(422, "invalid_request",
                     "\"conversation_id\" must be a conversation id (UUID)");
    }
    request.conversation_id = it->get<std::string>();
  }
  if (const auto it = body.find("context"); it != body.end() && !it->is_null()) {
    if (!it->is_object()) throw ApiError(422, "invalid_request", "\"context\" must be an object");
    request.context = *it;
  }
  return request;
}

}  // namespace agent_host::http::handlers
