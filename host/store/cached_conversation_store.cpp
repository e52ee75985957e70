#include "store/cached_conversation_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>

namespace agent_host::store {
namespace {

// The last `limit` of `messages`.
std::vector<Message> last(std::vector<Message> messages, std::size_t limit) {
  if (messages.size() > limit) {
    messages.erase(messages.begin(), messages.end() - static_cast<std::ptrdiff_t>(limit));
  }
  return messages;
}

// The window holds the last `limit` messages (or all of them).
bool covers(const CachedContext& context, std::size_t limit) {
  const auto count = static_cast<std::size_t>(context.conversation.message_count);
  return context.messages.size() >= std::min(limit, count);
}

}  // namespace

std::optional<CachedContext> CachedConversationStore::cached(
    const std::string& conversation_id) const {
  try {
    return cache_.get(conversation_id);
  } catch (const std::exception& e) {
    spdlog::debug("context cache: get {} failed: {}", conversation_id, e.what());
    return std::nullopt;
  }
}

void CachedConversationStore::update_cache(const Conversation& conversation,
                                           const std::vector<Message>& added) const {
  try {
    cache_.update(conversation, added);
  } catch (const std::exception& e) {
    // The next find() corrects the entry; the cache's client logs outages.
    spdlog::debug("context cache: update {} failed: {}", conversation.id, e.what());
  }
}

std::optional<Conversation> CachedConversationStore::find(
    const std::string& conversation_id) const {
  std::optional<Conversation> found;
  try {
    found = durable_.find(conversation_id);
  } catch (const std::exception& e) {
    const auto context = cached(conversation_id);
    if (!context) throw;
    spdlog::warn("conversation store: find {} failed ({}); answered from the context cache",
                 conversation_id, e.what());
    return context->conversation;
  }
  if (found) update_cache(*found, {});
  return found;
}

Conversation CachedConversationStore::create(const std::string& user_id,
                                             const std::string& agent_id,
                                             const std::string& tenant) {
  Conversation conversation = durable_.create(user_id, agent_id, tenant);
  update_cache(conversation, {});
  return conversation;
}

Conversation CachedConversationStore::create_with_messages(const std::string& user_id,
                                                           const std::string& agent_id,
                                                           const std::string& tenant,
                                                           const std::vector<Message>& messages) {
  Conversation conversation = durable_.create_with_messages(user_id, agent_id, tenant, messages);
  update_cache(conversation, messages);
  return conversation;
}

std::vector<Message> CachedConversationStore::recent_messages(const std::string& conversation_id,
                                                              std::size_t limit) const {
  const auto context = cached(conversation_id);
  if (context && covers(*context, limit)) return last(context->messages, limit);
  std::vector<Message> loaded;
  try {
    loaded = durable_.recent_messages(conversation_id, std::max(limit, cache_.window()));
  } catch (const std::exception& e) {
    if (!context) throw;
    spdlog::warn(
        "conversation store: reading {} failed ({}); answered with the {} messages of the "
        "context cache",
        conversation_id, e.what(), std::min(limit, context->messages.size()));
    return last(context->messages, limit);
  }
  // Refill: labelled with the version the cache knew, which the durable read is not older than
  // (a concurrent append on another host is caught by the next find()).
  if (context) update_cache(context->conversation, last(loaded, cache_.window()));
  return last(std::move(loaded), limit);
}

Page<Message> CachedConversationStore::message_page(const std::string& conversation_id,
                                                    std::size_t limit,
                                                    const std::string& cursor) const {
  // A first page the cache holds whole is served from it (also while the store is down); any
  // other page needs the store, whose cursors the cache does not know.
  if (cursor.empty()) {
    const auto context = cached(conversation_id);
    if (context && covers(*context, SIZE_MAX) && context->messages.size() <= limit) {
      return Page<Message>{context->messages, ""};
    }
  }
  return durable_.message_page(conversation_id, limit, cursor);
}

Page<Conversation> CachedConversationStore::list(const ConversationQuery& query) const {
  return durable_.list(query);
}

bool CachedConversationStore::remove(const std::string& conversation_id) {
  const bool removed = durable_.remove(conversation_id);  // throws: the cache keeps its entry
  try {
    cache_.erase(conversation_id);
  } catch (const std::exception& e) {
    // An entry left in a shared cache is harmless while the store is up (find() asks the store
    // first); it expires with the cache's TTL.
    spdlog::warn("context cache: erasing deleted conversation {} failed: {}", conversation_id,
                 e.what());
  }
  return removed;
}

Conversation CachedConversationStore::append(const std::string& conversation_id,
                                             const std::vector<Message>& messages) {
  Conversation after = durable_.append(conversation_id, messages);  // throws: nothing cached
  update_cache(after, messages);
  return after;
}

}  // namespace agent_host::store
