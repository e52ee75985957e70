#include "http/handlers/chat_response.h"

#include "http/handlers/store_errors.h"

namespace agent_host::http::handlers {

nlohmann::json chat_result_json(const agents::ChatResult& result, const std::string& request_id) {
  nlohmann::json body = {{"agent_id", result.agent_id},
                         {"conversation_id", result.conversation_id},
                         {"response", result.response},
                         {"usage",
                          {{"prompt_tokens", result.usage.prompt_tokens},
                           {"completion_tokens", result.usage.completion_tokens},
                           {"total_tokens", result.usage.total_tokens}}},
                         {"model", result.model},
                         {"provider", result.provider},
                         {"finish_reason", result.finish_reason},
                         {"message_count", result.message_count},
                         {"request_id", request_id}};
  if (result.refusal) body["refusal"] = *result.refusal;
  if (!result.tool_calls.empty()) body["tool_calls"] = result.tool_calls;
  if (result.interrupted) body["interrupted"] = true;
  if (!result.session_id.empty()) body["session_id"] = result.session_id;
  return body;
}

ApiError to_api_error(const agents::TurnError& error) {
  using Kind = agents::TurnError::Kind;
  switch (error.kind()) {
    case Kind::not_found:
      return ApiError(404, "conversation_not_found", error.what());
    case Kind::upstream:
      return ApiError(502, "upstream_error", error.what());
    case Kind::upstream_timeout:
      return ApiError(504, "upstream_timeout", error.what());
    case Kind::unavailable:
      return ApiError(502, "upstream_unavailable", error.what());
    case Kind::store_full:
      return ApiError(507, "store_full", error.what());
    case Kind::store_unavailable:
      return ApiError(503, "store_unavailable", error.what(), kStoreRetryAfterSeconds);
    case Kind::plugin:
      return ApiError(500, "plugin_error", error.what());
    case Kind::invalid_request:
      return ApiError(422, "invalid_request", error.what());
  }
  return ApiError(500, "internal_error", error.what());
}

}  // namespace agent_host::http::handlers
