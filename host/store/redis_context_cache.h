// The context cache in Redis, shared by every host. Per conversation two keys with the same hash
// tag (so they stay on one Redis Cluster slot): "<prefix>context:{<id>}", a hash with the version
// "v" (message count) and the conversation "c" as JSON, and "<prefix>context:{<id>}:messages", a
// list of the last `window` messages as JSON. Both expire `ttl` after the last write. Updates are
// one Lua script each, so the version check and the write are atomic across hosts: a host that
// is late never overwrites a newer window. Throws RedisUnavailable when Redis is down.
#pragma once

#include <chrono>

#include "store/context_cache.h"
#include "store/redis/redis_client.h"

namespace agent_host::store {

class RedisContextCache final : public ContextCache {
 public:
  RedisContextCache(redis::RedisClient& client, std::string key_prefix, std::size_t window,
                    std::chrono::milliseconds ttl)
      : client_(client), prefix_(std::move(key_prefix)), window_(window), ttl_(ttl) {}

  std::optional<CachedContext> get(const std::string& conversation_id) override;
  void update(const Conversation& conversation, const std::vector<Message>& added) override;
  void erase(const std::string& conversation_id) override;
  std::size_t window() const override { return window_; }

 private:
  std::string key_of(const std::string& conversation_id) const;

  redis::RedisClient& client_;
  const std::string prefix_;
  const std::size_t window_;
  const std::chrono::milliseconds ttl_;
};

}  // namespace agent_host::store
