#include "store/memory_conversation_store.h"

#include <chrono>

#include "ids/random_uuid.h"

namespace agent_host::store {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::optional<Conversation> MemoryConversationStore::find(
    const std::string& conversation_id) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(conversation_id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.conversation;
}

Conversation MemoryConversationStore::create(const std::string& user_id,
                                             const std::string& agent_id) {
  Conversation conversation;
  conversation.id = ids::random_uuid();
  conversation.user_id = user_id;
  conversation.agent_id = agent_id;
  conversation.created_at_ms = conversation.updated_at_ms = now_ms();
  std::lock_guard lock(mutex_);
  if (entries_.size() >= limits_.max_conversations) {
    throw StoreFullError("the in-memory store holds its maximum of " +
                         std::to_string(limits_.max_conversations) + " conversations");
  }
  entries_.emplace(conversation.id, Entry{conversation, {}});
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

std::vector<Message> MemoryConversationStore::messages(const std::string& conversation_id) const {
  return recent_messages(conversation_id, SIZE_MAX);
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
  entry.conversation.updated_at_ms = now_ms();
  return entry.conversation;
}

}  // namespace agent_host::store
