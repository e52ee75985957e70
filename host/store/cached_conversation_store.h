// A ConversationStore in front of the durable one, with a ContextCache.
//
// Consistency model:
// - Writes go to the durable store first; the cache learns of them only after the store
//   succeeded, so nothing is ever acknowledged from the cache. A failed append changes nothing.
// - find() always asks the durable store while it is up, and brings the cache entry to the
//   store's version (a window of an older version is dropped). Every turn and every read starts
//   with find(), so a cache that missed an update (another host without a shared cache, a Redis
//   blip) is corrected before it is used.
// - recent_messages() and a first page of messages are served from the cache when its window covers
// what is
//   asked; otherwise from the durable store, and the window is refilled.
// - When the durable store fails, find() and reads fall back to the cache (as of the last
//   version this host saw): conversations stay readable, chat itself fails on the append.
// - When the cache fails (Redis down), every call goes to the durable store; the cache's own
//   client reports the outage.
#pragma once

#include "store/context_cache.h"
#include "store/conversation_store.h"

namespace agent_host::store {

class CachedConversationStore final : public ConversationStore {
 public:
  CachedConversationStore(ConversationStore& durable, ContextCache& cache)
      : durable_(durable), cache_(cache) {}

  std::optional<Conversation> find(const std::string& conversation_id) const override;
  Conversation create(const std::string& user_id, const std::string& agent_id,
                      const std::string& tenant = "") override;
  Conversation create_with_messages(const std::string& user_id, const std::string& agent_id,
                                    const std::string& tenant,
                                    const std::vector<Message>& messages) override;
  std::vector<Message> recent_messages(const std::string& conversation_id,
                                       std::size_t limit) const override;
  // Later pages, listings and deletion go to the durable store (the cache holds only a window
  // of the newest messages); a deleted conversation is also erased from the cache.
  Page<Message> message_page(const std::string& conversation_id, std::size_t limit,
                             const std::string& cursor) const override;
  Conversation append(const std::string& conversation_id,
                      const std::vector<Message>& messages) override;
  Page<Conversation> list(const ConversationQuery& query) const override;
  bool remove(const std::string& conversation_id) override;

 private:
  std::optional<CachedContext> cached(const std::string& conversation_id) const;
  void update_cache(const Conversation& conversation, const std::vector<Message>& added) const;

  ConversationStore& durable_;
  ContextCache& cache_;
};

}  // namespace agent_host::store
