// GET /conversations/{id}: a conversation and its messages.
#include "http/api_error.h"
#include "http/handlers/chat_request.h"
#include "http/handlers/handlers.h"
#include "http/iso_time.h"

namespace agent_host::http::handlers {

void add_conversation_routes(Router& router, const ApiServices& services) {
  router.add("GET", "/conversations/{id}", [services](RequestContext& context) {
    const std::string& id = context.path_param("id");
    if (!is_uuid(id)) throw ApiError(404, "conversation_not_found", "no conversation '" + id + "'");
    const auto conversation = services.conversations.find(id);
    if (!conversation) {
      throw ApiError(404, "conversation_not_found", "no conversation '" + id + "'");
    }
    nlohmann::json messages = nlohmann::json::array();
    for (const auto& message : services.conversations.messages(id)) {
      nlohmann::json item = {{"message_id", message.id},
                             {"role", message.role},
                             {"content", message.content},
                             {"tokens_used", message.tokens},
                             {"created_at", iso8601_ms(message.created_at_ms)}};
      if (message.role == "assistant") {
        item["interrupted"] = message.interrupted;
        item["provider"] = message.provider;
        item["model"] = message.model;
        if (!message.tool_calls.empty()) {
          item["tool_calls"] = nlohmann::json::parse(message.tool_calls, nullptr, false);
        }
      } else if (message.role == "tool") {
        item["tool_call_id"] = message.tool_call_id;
      }
      messages.push_back(std::move(item));
    }
    context.send_json(200, {{"conversation_id", conversation->id},
                            {"user_id", conversation->user_id},
                            {"agent_id", conversation->agent_id},
                            {"created_at", iso8601_ms(conversation->created_at_ms)},
                            {"updated_at", iso8601_ms(conversation->updated_at_ms)},
                            {"message_count", conversation->message_count},
                            {"messages", messages}});
  });
}

}  // namespace agent_host::http::handlers
