#include "store/memory_conversation_store.h"

#include <algorithm>
#include <chrono>
#include <tuple>

#include "store/new_conversation.h"
#include "store/page_cursor.h"
#include "store/wall_clock.h"

namespace agent_host::store {

std::optional<Conversation> MemoryConversationStore::find(
    const std::string& conversation_id) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(conversation_id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.conversation;
}

Conversation MemoryConversationStore::create(const std::string& user_id,
                                             const std::string& agent_id,
                                             const std::string& tenant) {
  Conversation conversation = new_conversation(user_id, agent_id, tenant);
  std::lock_guard lock(mutex_);
  if (entries_.size() >= limits_.max_conversations) {
    throw StoreFullError("the in-memory store holds its maximum of " +
                         std::to_string(limits_.max_conversations) + " conversations");
  }
  entries_.emplace(conversation.id, Entry{conversation, {}});
  return conversation;
}

Conversation MemoryConversationStore::create_with_messages(const std::string& user_id,
                                                           const std::string& agent_id,
                                                           const std::string& tenant,
                                                           const std::vector<Message>& messages) {
  Conversation conversation = new_conversation(user_id, agent_id, tenant);
  conversation.message_count = static_cast<std::int64_t>(messages.size());
  std::lock_guard lock(mutex_);
  if (entries_.size() >= limits_.max_conversations) {
    throw StoreFullError("the in-memory store holds its maximum of " +
                         std::to_string(limits_.max_conversations) + " conversations");
  }
  if (messages.size() > limits_.max_messages_per_conversation) {
    throw StoreFullError("the conversation holds its maximum of " +
                         std::to_string(limits_.max_messages_per_conversation) + " messages");
  }
  entries_.emplace(conversation.id, Entry{conversation, messages});
  return conversation;
}

std::vector<Message> MemoryConversationStore::recent_messages(const std::string& conversation_id,
                                                              std::size_t limit) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(conversation_id);
  if (it == entries_.end()) return {};
  const auto& all = it->second.messages;
  const std::size_t first = all.size() > limit ? all.size() - limit : 0;
  return {all.begin() + static_cast<std::ptrdiff_t>(first), all.end()};
}

Page<Message> MemoryConversationStore::message_page(const std::string& conversation_id,
                                                    std::size_t limit,
                                                    const std::string& cursor) const {
  // A message's sequence number is its position in the conversation, counted from 1.
  const std::int64_t after = cursor.empty() ? 0 : parse_message_cursor(cursor);
  std::lock_guard lock(mutex_);
  Page<Message> page;
  const auto it = entries_.find(conversation_id);
  if (it == entries_.end()) return page;
  const auto& all = it->second.messages;
  const std::size_t first = std::min(static_cast<std::size_t>(after), all.size());
  const std::size_t last = std::min(all.size(), first + limit);
  page.items.assign(all.begin() + static_cast<std::ptrdiff_t>(first),
                    all.begin() + static_cast<std::ptrdiff_t>(last));
  if (last < all.size()) page.next_cursor = message_cursor(static_cast<std::int64_t>(last));
  return page;
}

Page<Conversation> MemoryConversationStore::list(const ConversationQuery& query) const {
  std::optional<ConversationPosition> after;
  if (!query.cursor.empty()) after = parse_conversation_cursor(query.cursor);
  // Newest first: (created_at, id) descending, the order the SQL stores use.
  const auto newer = [](const Conversation& a, const Conversation& b) {
    return std::tie(a.created_at_ms, a.id) > std::tie(b.created_at_ms, b.id);
  };
  std::vector<Conversation> matches;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, entry] : entries_) {
      const Conversation& c = entry.conversation;
      if (c.user_id != query.user_id) continue;
      if (query.tenant && c.tenant != *query.tenant) continue;
      if (!query.agent_id.empty() && c.agent_id != query.agent_id) continue;
      if (after && std::tie(c.created_at_ms, c.id) >= std::tie(after->created_at_ms, after->id)) {
        continue;
      }
      matches.push_back(c);
    }
  }
  std::sort(matches.begin(), matches.end(), newer);
  Page<Conversation> page;
  if (matches.size() > query.limit) {
    matches.resize(query.limit);
    page.next_cursor = conversation_cursor({matches.back().created_at_ms, matches.back().id});
  }
  page.items = std::move(matches);
  return page;
}

bool MemoryConversationStore::remove(const std::string& conversation_id) {
  std::lock_guard lock(mutex_);
  return entries_.erase(conversation_id) > 0;
}

Conversation MemoryConversationStore::append(const std::string& conversation_id,
                                             const std::vector<Message>& messages) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(conversation_id);
  if (it == entries_.end()) throw std::out_of_range("unknown conversation " + conversation_id);
  Entry& entry = it->second;
  if (entry.messages.size() + messages.size() > limits_.max_messages_per_conversation) {
    throw StoreFullError("the conversation holds its maximum of " +
                         std::to_string(limits_.max_messages_per_conversation) + " messages");
  }
  entry.messages.insert(entry.messages.end(), messages.begin(), messages.end());
  entry.conversation.message_count = static_cast<std::int64_t>(entry.messages.size());
  entry.conversation.updated_at_ms = wall_clock_ms();
  return entry.conversation;
}

}  // namespace agent_host::store
