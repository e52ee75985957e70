// The in-process context cache (the default without Redis): at most `max_conversations`
// entries, least recently used evicted first, `window` messages each.
#pragma once

#include <list>
#include <mutex>
#include <unordered_map>

#include "store/context_cache.h"

namespace agent_host::store {

struct ContextCacheLimits {
  std::size_t window = 50;  // messages per conversation; agents' history_limit should fit in it
  std::size_t max_conversations = 10000;
};

class MemoryContextCache final : public ContextCache {
 public:
  explicit MemoryContextCache(ContextCacheLimits limits = {}) : limits_(limits) {}

  std::optional<CachedContext> get(const std::string& conversation_id) override;
  void update(const Conversation& conversation, const std::vector<Message>& added) override;
  void erase(const std::string& conversation_id) override;
  std::size_t window() const override { return limits_.window; }

  std::size_t size() const;

 private:
  const ContextCacheLimits limits_;
  mutable std::mutex mutex_;
  std::list<CachedContext> entries_;  // most recently used last
  std::unordered_map<std::string, std::list<CachedContext>::iterator> by_id_;
};

}  // namespace agent_host::store
