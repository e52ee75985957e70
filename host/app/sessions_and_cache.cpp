#include "app/sessions_and_cache.h"

#include <spdlog/spdlog.h>

#include "store/memory_context_cache.h"
#include "store/memory_session_store.h"
#include "store/redis_context_cache.h"
#include "store/redis_session_store.h"

namespace agent_host::app {

SessionsAndCache::SessionsAndCache(const HostConfig& config, const plugins::SecretStore& secrets,
                                   store::ConversationStore& durable) {
  if (config.redis) {
    store::redis::RedisOptions options = config.redis->connection;
    if (!config.redis->password_secret.empty()) {
      options.password = secrets.get(config.redis->password_secret);
      if (!options.password) {
        spdlog::error(
            "redis: the secret '{}' (redis.password_secret) has no value; connecting "
            "without a password",
            config.redis->password_secret);
      }
    }
    redis_ = std::make_unique<store::redis::RedisClient>(std::move(options));
    // Cached contexts live as long as sessions: a conversation idle for longer is read again.
    sessions_ = std::make_unique<store::RedisSessionStore>(*redis_, config.redis->key_prefix,
                                                           config.sessions.ttl);
    cache_ = std::make_unique<store::RedisContextCache>(
        *redis_, config.redis->key_prefix, config.context_cache.window, config.sessions.ttl);
  } else {
    sessions_ = std::make_unique<store::MemorySessionStore>(config.sessions);
    cache_ = std::make_unique<store::MemoryContextCache>(config.context_cache);
  }
  conversations_ = std::make_unique<store::CachedConversationStore>(durable, *cache_);
  spdlog::info("host: sessions (ttl {} s) and the context cache ({} messages per conversation) {}",
               std::chrono::duration_cast<std::chrono::seconds>(config.sessions.ttl).count(),
               config.context_cache.window,
               redis_ ? "in Redis at " + redis_->options().describe() : std::string("in process"));
}

std::vector<http::NamedDependency> SessionsAndCache::dependencies() const {
  if (!redis_) return {};
  const store::redis::RedisClient* client = redis_.get();
  return {{"redis", [client] { return client->status(); }}};
}

}  // namespace agent_host::app
