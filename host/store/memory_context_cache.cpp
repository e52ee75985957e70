#include "store/memory_context_cache.h"

namespace agent_host::store {

std::optional<CachedContext> MemoryContextCache::get(const std::string& conversation_id) {
  std::lock_guard lock(mutex_);
  const auto found = by_id_.find(conversation_id);
  if (found == by_id_.end()) return std::nullopt;
  entries_.splice(entries_.end(), entries_, found->second);
  return *found->second;
}

void MemoryContextCache::update(const Conversation& conversation,
                                const std::vector<Message>& added) {
  std::lock_guard lock(mutex_);
  auto found = by_id_.find(conversation.id);
  if (found == by_id_.end()) {
    if (entries_.size() >= limits_.max_conversations) {
      by_id_.erase(entries_.front().conversation.id);
      entries_.pop_front();
    }
    entries_.push_back(CachedContext{conversation, {}});
    found = by_id_.emplace(conversation.id, std::prev(entries_.end())).first;
  } else {
    entries_.splice(entries_.end(), entries_, found->second);
  }
  CachedContext& entry = *found->second;
  const auto version = entry.conversation.message_count;
  if (version > conversation.message_count) return;  // a newer version is cached already
  const bool follows =
      version + static_cast<std::int64_t>(added.size()) == conversation.message_count;
  if (!follows) entry.messages.clear();
  entry.messages.insert(entry.messages.end(), added.begin(), added.end());
  if (entry.messages.size() > limits_.window) {
    entry.messages.erase(entry.messages.begin(),
                         entry.messages.end() - static_cast<std::ptrdiff_t>(limits_.window));
  }
  entry.conversation = conversation;
}

std::size_t MemoryContextCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void MemoryContextCache::erase(const std::string& conversation_id) {
  const std::lock_guard lock(mutex_);
  const auto it = by_id_.find(conversation_id);
  if (it == by_id_.end()) return;
  entries_.erase(it->second);
  by_id_.erase(it);
}

}  // namespace agent_host::store
