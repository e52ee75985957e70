// The context cache: per conversation, its metadata and a window of its last messages, so a
// turn's history comes without a read of the durable store, and reads still work while that
// store is down. Entries are versioned by the conversation's message count (messages are never
// changed once stored, so the count names the content): a cache never replaces an entry by an
// older version, which is what keeps several hosts sharing one Redis cache consistent.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "store/conversation_store.h"

namespace agent_host::store {

struct CachedContext {
  Conversation conversation;      // its message_count is the entry's version
  std::vector<Message> messages;  // the conversation's last messages (maybe fewer than all)
};

class ContextCache {
 public:
  virtual ~ContextCache() = default;

  virtual std::optional<CachedContext> get(const std::string& conversation_id) = 0;
  // Records that `added` are the last messages of `conversation` (as it is after them). When the
  // cached entry was exactly the version before them, the window grows (trimmed to the cache's
  // window size); when it was older, the window restarts with `added`; when it is newer, nothing
  // changes. `added` may be empty: the entry then only catches up with the store's version,
  // dropping a window that belonged to an older one.
  virtual void update(const Conversation& conversation, const std::vector<Message>& added) = 0;
  // Forgets a conversation (it was deleted), so no fallback read can bring it back.
  virtual void erase(const std::string& conversation_id) = 0;
  // How many messages per conversation the cache keeps.
  virtual std::size_t window() const = 0;
};

}  // namespace agent_host::store
