// Validation of request bodies: POST /agents/{id}/chat and POST /v1/chat/completions, after the
// JSON nesting pre-scan. Any bytes in: either an ApiError with a 4xx status, or a request that
// keeps the documented limits; a body the pre-scan lets through is never nested deeper than 64.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "http/api_error.h"
#include "http/handlers/chat_request.h"
#include "http/handlers/openai_request.h"
#include "http/utf8.h"
#include "limits/json_depth.h"

namespace {

void check_refusal(const agent_host::http::ApiError& error) {
  if (error.status() < 400 || error.status() > 499 || error.code().empty()) __builtin_trap();
}

int depth(const nlohmann::json& value) {
  int deepest = 0;
  if (value.is_structured()) {
    for (const auto& item : value) deepest = std::max(deepest, depth(item));
    return deepest + 1;
  }
  return 0;
}

void check_chat(const nlohmann::json& body,
                const std::optional<agent_host::security::Principal>& principal) {
  namespace handlers = agent_host::http::handlers;
  try {
    const auto chat = handlers::parse_chat_request(body, principal);
    const auto user = agent_host::http::utf8_length(chat.user_id);
    const auto message = agent_host::http::utf8_length(chat.message);
    if (!user || *user == 0 || *user > handlers::kMaxUserIdChars) __builtin_trap();
    if (!message || *message == 0 || *message > handlers::kMaxMessageChars) __builtin_trap();
    if (chat.conversation_id && !handlers::is_uuid(*chat.conversation_id)) __builtin_trap();
    // With a principal the identity is the credential's, whatever the body says.
    if (principal && chat.user_id != principal->subject) __builtin_trap();
  } catch (const agent_host::http::ApiError& error) {
    check_refusal(error);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace handlers = agent_host::http::handlers;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The host refuses invalid UTF-8 before parsing (RequestContext::read_json_body).
  if (!agent_host::http::utf8_length(text)) return 0;
  const bool too_deep = agent_host::limits::json_too_deep_at(text).has_value();
  const nlohmann::json body = nlohmann::json::parse(text, nullptr, false);
  if (body.is_discarded()) return 0;
  if (!too_deep && depth(body) > agent_host::limits::kMaxJsonDepth) __builtin_trap();
  if (too_deep) return 0;  // the host answers 400 json_too_deep before parsing
  check_chat(body, std::nullopt);
  check_chat(body, agent_host::security::Principal{"u1", "tenant-a", {"user"}, "key:k1"});
  try {
    const auto completion = handlers::parse_completion_request(body);
    if (completion.model.empty()) __builtin_trap();
    if (completion.transcript.messages.size() > handlers::kMaxTranscriptMessages) __builtin_trap();
    if (completion.transcript.tools.size() > handlers::kMaxTools) __builtin_trap();
  } catch (const agent_host::http::ApiError& error) {
    check_refusal(error);
  }
  return 0;
}
