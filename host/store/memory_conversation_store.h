// In-process conversation store: fast and bounded, but gone when the process exits (tests and
// throwaway runs only).
#pragma once

#include <mutex>
#include <unordered_map>

#include "store/conversation_store.h"

namespace agent_host::store {

struct MemoryStoreLimits {
  std::size_t max_conversations = 100000;
  std::size_t max_messages_per_conversation = 10000;
};

class MemoryConversationStore final : public ConversationStore {
 public:
  explicit MemoryConversationStore(MemoryStoreLimits limits = {}) : limits_(limits) {}

  std::optional<Conversation> find(const std::string& conversation_id) const override;
  Conversation create(const std::string& user_id, const std::string& agent_id,
                      const std::string& tenant = "") override;
  Conversation create_with_messages(const std::string& user_id, const std::string& agent_id,
                                    const std::string& tenant,
                                    const std::vector<Message>& messages) override;
  std::vector<Message> recent_messages(const std::string& conversation_id,
                                       std::size_t limit) const override;
  Page<Message> message_page(const std::string& conversation_id, std::size_t limit,
                             const std::string& cursor) const override;
  Conversation append(const std::string& conversation_id,
                      const std::vector<Message>& messages) override;
  Page<Conversation> list(const ConversationQuery& query) const override;
  bool remove(const std::string& conversation_id) override;

 private:
  struct Entry {
    Conversation conversation;
    std::vector<Message> messages;
  };

  const MemoryStoreLimits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace agent_host::store
