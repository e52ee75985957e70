// Sessions and the context cache, wrapped around the durable conversation store: in process by
// default, in Redis when host.json has a "redis" section (the scaled-out mode, several hosts
// sharing them). Kept apart from HostApp so the composition of the state stays in one place.
#pragma once

#include <memory>
#include <vector>

#include "app/host_config.h"
#include "http/api.h"
#include "plugins/secret_store.h"
#include "store/cached_conversation_store.h"
#include "store/context_cache.h"
#include "store/redis/redis_client.h"
#include "store/session_store.h"

namespace agent_host::app {

class SessionsAndCache {
 public:
  // Never fails because Redis is down: the client starts degraded and reconnects by itself.
  SessionsAndCache(const HostConfig& config, const plugins::SecretStore& secrets,
                   store::ConversationStore& durable);

  // What the turn pipeline and the handlers use: the durable store behind the context cache.
  store::ConversationStore& conversations() { return *conversations_; }
  store::SessionStore& sessions() { return *sessions_; }
  // For /health: "redis" when it is configured.
  std::vector<http::NamedDependency> dependencies() const;
  // The Redis client when one is configured (shared rate limits, token budgets); else null.
  store::redis::RedisClient* redis() const noexcept { return redis_.get(); }

 private:
  std::unique_ptr<store::redis::RedisClient> redis_;
  std::unique_ptr<store::SessionStore> sessions_;
  std::unique_ptr<store::ContextCache> cache_;
  std::unique_ptr<store::CachedConversationStore> conversations_;
};

}  // namespace agent_host::app
