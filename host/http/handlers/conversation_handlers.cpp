// Conversations: GET /conversations (a user's, paginated), GET /conversations/{id} (one, with a
// page of its messages) and DELETE /conversations/{id}.
#include <agent_sdk/json_codec.hpp>
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
  nlohmann::json json = {{"conversation_id", conversation.id},
                         {"user_id", conversation.user_id},
                         {"agent_id", conversation.agent_id},
                         {"created_at", iso8601_ms(conversation.created_at_ms)},
                         {"updated_at", iso8601_ms(conversation.updated_at_ms)},
                         {"message_count", conversation.message_count}};
  if (!conversation.tenant.empty()) json["tenant"] = conversation.tenant;
  return json;
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
      item["tool_calls"] = agent_sdk::try_parse_json(message.tool_calls);
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

// With auth on, a conversation exists for its owner (same tenant and subject) and for admins
// only; anyone else gets the same 404 as for an unknown id, so ids do not leak.
bool visible_to(const std::optional<security::Principal>& principal,
                const store::Conversation& conversation) {
  if (!principal || principal->has_role("admin")) return true;
  return conversation.tenant == principal->tenant && conversation.user_id == principal->subject;
}

// The conversation `id` when the request may see it; 404 otherwise.
store::Conversation visible_conversation(const ApiServices& services, RequestContext& context,
                                         const std::string& id) {
  if (!is_uuid(id)) not_found(id);
  const auto conversation = with_store_errors([&] { return services.conversations.find(id); });
  if (!conversation || !visible_to(context.principal(), *conversation)) not_found(id);
  return *conversation;
}

}  // namespace

void add_conversation_routes(Router& router, const ApiServices& services) {
  router.add("GET", "/conversations", [services](RequestContext& context) {
    store::ConversationQuery query;
    const auto& principal = context.principal();
    query.user_id = context.query_param("user_id").value_or("");
    if (principal) {
      // A user lists its own conversations in its tenant; an admin names any user (and, with
      // the tenant parameter, one tenant; without it, every tenant).
      if (query.user_id.empty()) query.user_id = principal->subject;
      check_named_user(principal, query.user_id, true);
      if (!principal->has_role("admin")) {
        query.tenant = principal->tenant;
      } else if (const auto tenant = context.query_param("tenant")) {
        query.tenant = *tenant;
      }
    }
    const std::size_t chars = utf8_length(query.user_id).value_or(0);
    // The principal's own subject may be as long as its credential allows.
    const bool own = principal && query.user_id == principal->subject;
    if (!own && (chars == 0 || chars > kMaxUserIdChars)) {
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
    const std::size_t limit = page_limit(context, 100);
    const std::string cursor = context.query_param("cursor").value_or("");
    const auto conversation = visible_conversation(services, context, id);
    const auto page =
        with_store_errors([&] { return services.conversations.message_page(id, limit, cursor); });
    nlohmann::json messages = nlohmann::json::array();
    for (const auto& message : page.items) messages.push_back(message_json(message));
    nlohmann::json body = conversation_json(conversation);
    body["messages"] = std::move(messages);
    body["next_cursor"] = cursor_json(page.next_cursor);
    context.send_json(200, body);
  });

  router.add("DELETE", "/conversations/{id}", [services](RequestContext& context) {
    const std::string& id = context.path_param("id");
    if (context.principal()) visible_conversation(services, context, id);
    if (!is_uuid(id)) not_found(id);
    if (!with_store_errors([&] { return services.conversations.remove(id); })) not_found(id);
    context.send_no_content();
  });
}

}  // namespace agent_host::http::handlers
