// Conversations: GET /conversations (a user's, paginated), GET /conversations/{id} (one, with a
// page of its messages) and DELETE /conversations/{id}.
#include <charconv>

#include "http/api_error.h"
#include "http/handlers/chat_request.h"
#include "http/handlers/handlers.h"
#include "http/handlers/store_errors.h"
#include "http/iso_time.h"
#include "http/utf8.h"

namespace agent_host::http::handlers {
namespace {

constexpr std::size_t kMaxPageSize = 1000;

std::size_t page_limit(const RequestContext& context, std::size_t fallback) {
  const auto text = context.query_param("limit");
  if (!text) return fallback;
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < 1 ||
      value > kMaxPageSize) {
    throw ApiError(422, "invalid_request",
                   "limit must be an integer 1.." + std::to_string(kMaxPageSize));
  }
  return value;
}

nlohmann::json conversation_json(const store::Conversation& conversation) {
  return {{"conversation_id", conversation.id},
          {"user_id", conversation.user_id},
          {"agent_id", conversation.agent_id},
          {"created_at", iso8601_ms(conversation.created_at_ms)},
          {"updated_at", iso8601_ms(conversation.updated_at_ms)},
          {"message_count", conversation.message_count}};
}

nlohmann::json message_json(const store::Message& message) {
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
  }
  if (!message.tool_call_id.empty()) item["tool_call_id"] = message.tool_call_id;
  return item;
}

nlohmann::json cursor_json(const std::string& cursor) {
  return cursor.empty() ? nlohmann::json(nullptr) : nlohmann::json(cursor);
}

[[noreturn]] void not_found(const std::string& id) {
  throw ApiError(404, "conversation_not_found", "no conversation '" + id + "'");
}

}  // namespace

void add_conversation_routes(Router& router, const ApiServices& services) {
  router.add("GET", "/conversations", [services](RequestContext& context) {
    store::ConversationQuery query;
    query.user_id = context.query_param("user_id").value_or("");
    const std::size_t chars = utf8_length(query.user_id).value_or(0);
    if (chars == 0 || chars > kMaxUserIdChars) {
      throw ApiError(422, "invalid_request",
                     "the user_id query parameter must be 1.." + std::to_string(kMaxUserIdChars) +
                         " characters");
    }
    query.agent_id = context.query_param("agent_id").value_or("");
    query.limit = page_limit(context, 20);
    query.cursor = context.query_param("cursor").value_or("");
    const auto page = with_store_errors([&] { return services.conversations.list(query); });
    nlohmann::json items = nlohmann::json::array();
    for (const auto& conversation : page.items) items.push_back(conversation_json(conversation));
    context.send_json(200,
                      {{"conversations", items}, {"next_cursor", cursor_json(page.next_cursor)}});
  });

  router.add("GET", "/conversations/{id}", [services](RequestContext& context) {
    const std::string& id = context.path_param("id");
    if (!is_uuid(id)) not_found(id);
    const std::size_t limit = page_limit(context, 100);
    const std::string cursor = context.query_param("cursor").value_or("");
    const auto conversation = with_store_errors([&] { return services.conversations.find(id); });
    if (!conversation) not_found(id);
    const auto page =
        with_store_errors([&] { return services.conversations.message_page(id, limit, cursor); });
    nlohmann::json messages = nlohmann::json::array();
    for (const auto& message : page.items) messages.push_back(message_json(message));
    nlohmann::json body = conversation_json(*conversation);
    body["messages"] = std::move(messages);
    body["next_cursor"] = cursor_json(page.next_cursor);
    context.send_json(200, body);
  });

  router.add("DELETE", "/conversations/{id}", [services](RequestContext& context) {
    const std::string& id = context.path_param("id");
    if (!is_uuid(id)) not_found(id);
    if (!with_store_errors([&] { return services.conversations.remove(id); })) not_found(id);
    context.send_no_content();
  });
}

}  // namespace agent_host::http::handlers
