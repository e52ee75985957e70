// Sessions in Redis, shared by every host (the scaled-out mode). One hash per user and agent,
// "<prefix>session:<agent_id>:<user_id>" (agent ids never hold ':', so the key is unambiguous),
// with the fields of Session; Redis expires it `ttl` after the last touch. A touch is one Lua
// script, atomic however many hosts serve the same user. Throws RedisUnavailable when Redis is
// down: the turn pipeline then goes on without a session.
#pragma once

#include <chrono>
#include <string>

#include "store/redis/redis_client.h"
#include "store/session_store.h"

namespace agent_host::store {

class RedisSessionStore final : public SessionStore {
 public:
  RedisSessionStore(redis::RedisClient& client, std::string key_prefix,
                    std::chrono::milliseconds ttl)
      : client_(client), prefix_(std::move(key_prefix)), ttl_(ttl) {}

  Session touch(const std::string& user_id, const std::string& agent_id,
                const std::string& conversation_id, std::int64_t messages_added) override;
  std::optional<Session> get(const std::string& user_id,
                             const std::string& agent_id) const override;

 private:
  std::string key_of(const std::string& user_id, const std::string& agent_id) const;

  redis::RedisClient& client_;
  const std::string prefix_;
  const std::chrono::milliseconds ttl_;
};

}  // namespace agent_host::store
