#include "store/memory_session_store.h"

#include "ids/random_uuid.h"
#include "store/wall_clock.h"

namespace agent_host::store {
namespace {

// User ids may hold any character, agent ids never a NUL.
std::string key_of(const std::string& user_id, const std::string& agent_id) {
  return agent_id + '\0' + user_id;
}

}  // namespace

Session MemorySessionStore::touch(const std::string& user_id, const std::string& agent_id,
                                  const std::string& conversation_id, std::int64_t messages_added) {
  const std::int64_t now = wall_clock_ms();
  const auto ttl_ms = limits_.ttl.count();
  std::lock_guard lock(mutex_);
  while (!sessions_.empty() && sessions_.front().expires_at_ms <= now) {
    by_key_.erase(key_of(sessions_.front().user_id, sessions_.front().agent_id));
    sessions_.pop_front();
  }
  const std::string key = key_of(user_id, agent_id);
  auto found = by_key_.find(key);
  if (found == by_key_.end()) {
    if (sessions_.size() >= limits_.max_sessions) {
      by_key_.erase(key_of(sessions_.front().user_id, sessions_.front().agent_id));
      sessions_.pop_front();
    }
    Session fresh;
    fresh.session_id = ids::random_uuid();
    fresh.user_id = user_id;
    fresh.agent_id = agent_id;
    fresh.created_at_ms = now;
    sessions_.push_back(std::move(fresh));
    found = by_key_.emplace(key, std::prev(sessions_.end())).first;
  } else {
    sessions_.splice(sessions_.end(), sessions_, found->second);  // now the most recent
  }
  Session& session = *found->second;
  session.conversation_id = conversation_id;
  session.last_activity_ms = now;
  session.message_count += messages_added;
  session.expires_at_ms = now + ttl_ms;
  return session;
}

std::optional<Session> MemorySessionStore::get(const std::string& user_id,
                                               const std::string& agent_id) const {
  std::lock_guard lock(mutex_);
  const auto found = by_key_.find(key_of(user_id, agent_id));
  if (found == by_key_.end() || found->second->expires_at_ms <= wall_clock_ms()) {
    return std::nullopt;
  }
  return *found->second;
}

std::size_t MemorySessionStore::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace agent_host::store
