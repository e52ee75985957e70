// In-process sessions (the default without Redis): bounded, least recently active evicted first.
#pragma once

#include <chrono>
#include <list>
#include <mutex>
#include <unordered_map>

#include "store/session_store.h"

namespace agent_host::store {

struct SessionLimits {
  std::chrono::milliseconds ttl{3600 * 1000};
  std::size_t max_sessions = 100000;  // in-process only; Redis expires keys itself
};

class MemorySessionStore final : public SessionStore {
 public:
  explicit MemorySessionStore(SessionLimits limits = {}) : limits_(limits) {}

  Session touch(const std::string& user_id, const std::string& agent_id,
                const std::string& conversation_id, std::int64_t messages_added) override;
  std::optional<Session> get(const std::string& user_id,
                             const std::string& agent_id) const override;

  std::size_t size() const;

 private:
  const SessionLimits limits_;
  mutable std::mutex mutex_;
  // Ordered by last activity, oldest first: expired and evicted sessions leave from the front.
  std::list<Session> sessions_;
  std::unordered_map<std::string, std::list<Session>::iterator> by_key_;
};

}  // namespace agent_host::store
