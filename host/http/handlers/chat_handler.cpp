// POST /agents/{id}/chat: one turn of the agent's pipeline.
#include "http/api_error.h"
#include "http/handlers/chat_request.h"
#include "http/handlers/handlers.h"

namespace agent_host::http::handlers {
namespace {

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
    case Kind::plugin:
      return ApiError(500, "plugin_error", error.what());
  }
  return ApiError(500, "internal_error", error.what());
}

}  // namespace

void add_chat_routes(Router& router, const ApiServices& services) {
  router.add("POST", "/agents/{id}/chat", [services](RequestContext& context) {
    const std::string& id = context.path_param("id");
    // The lease: the agent (and its plugins) stay alive until this request is done, even if
    // the agent is replaced meanwhile.
    const auto agent = services.agents.find(id);
    if (!agent) throw ApiError(404, "agent_not_found", "no agent '" + id + "' is served");
    const agents::ChatRequest request = parse_chat_request(context.read_json_body());

    agents::ChatResult result;
    try {
      result = services.pipeline.run(*agent, request, context.request_id());
    } catch (const agents::TurnError& e) {
      throw to_api_error(e);
    }
    nlohmann::json body = {{"agent_id", result.agent_id},
                           {"conversation_id", result.conversation_id},
                           {"response", result.response},
                           {"usage",
                            {{"prompt_tokens", result.usage.prompt_tokens},
                             {"completion_tokens", result.usage.completion_tokens},
                             {"total_tokens", result.usage.total_tokens}}},
                           {"model", result.model},
                           {"finish_reason", result.finish_reason},
                           {"message_count", result.message_count},
                           {"request_id", context.request_id()}};
    if (result.refusal) body["refusal"] = *result.refusal;
    context.send_json(200, body);
  });
}

}  // namespace agent_host::http::handlers
