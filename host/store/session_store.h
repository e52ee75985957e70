// Sessions, as the original design's session manager: one per user and agent, with its creation
// time, last activity and message count, expiring `ttl` after the last activity (sliding). A chat
// turn touches the session of its user and agent; a session that expired starts afresh (new id,
// count 0). Sessions are bookkeeping for operators and clients, not the conversation itself: the
// conversation store keeps the messages.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace agent_host::store {

struct Session {
  std::string session_id;
  std::string user_id;
  std::string agent_id;
  std::string conversation_id;  // the conversation of the last turn ("" before the first)
  std::int64_t created_at_ms = 0;
  std::int64_t last_activity_ms = 0;
  std::int64_t message_count = 0;  // messages stored by the session's turns
  std::int64_t expires_at_ms = 0;  // last_activity + ttl
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;

  // Records a turn: creates the session when there is none (or it expired), sets the
  // conversation and last activity, adds `messages_added` and extends the expiry to now + ttl.
  // Returns the session after the change.
  virtual Session touch(const std::string& user_id, const std::string& agent_id,
                        const std::string& conversation_id, std::int64_t messages_added) = 0;
  // The live session of the user and agent, without extending it.
  virtual std::optional<Session> get(const std::string& user_id,
                                     const std::string& agent_id) const = 0;
};

}  // namespace agent_host::store
