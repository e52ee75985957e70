// Validation of request bodies: POST /agents/{id}/chat and POST /v1/chat/completions. Any bytes
// in: either an ApiError with a 4xx status, or a request that keeps the documented limits.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "http/api_error.h"
#include "http/handlers/chat_request.h"
#include "http/handlers/openai_request.h"
#include "http/utf8.h"

namespace {

void check_refusal(const agent_host::http::ApiError& error) {
  if (error.status() < 400 || error.status() > 499 || error.code().empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace handlers = agent_host::http::handlers;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The host refuses invalid UTF-8 before parsing (RequestContext::read_json_body).
  if (!agent_host::http::utf8_length(text)) return 0;
  const nlohmann::json body = nlohmann::json::parse(text, nullptr, false);
  if (body.is_discarded()) return 0;
  try {
    const auto chat = handlers::parse_chat_request(body);
    const auto user = agent_host::http::utf8_length(chat.user_id);
    const auto message = agent_host::http::utf8_length(chat.message);
    if (!user || *user == 0 || *user > handlers::kMaxUserIdChars) __builtin_trap();
    if (!message || *message == 0 || *message > handlers::kMaxMessageChars) __builtin_trap();
    if (chat.conversation_id && !handlers::is_uuid(*chat.conversation_id)) __builtin_trap();
  } catch (const agent_host::http::ApiError& error) {
    check_refusal(error);
  }
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
