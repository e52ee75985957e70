#include "store/redis_session_store.h"

#include <map>

#include "ids/random_uuid.h"
#include "store/wall_clock.h"

namespace agent_host::store {
namespace {

// KEYS[1] session key; ARGV: new session id, user, agent, conversation, now ms, messages added,
// ttl ms. Returns the hash's fields and values, then the remaining time to live in ms.
const redis::RedisScript kTouch(R"lua(
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then
  redis.call('HSET', key, 'session_id', ARGV[1], 'user_id', ARGV[2], 'agent_id', ARGV[3],
             'created_at', ARGV[5], 'message_count', 0)
end
redis.call('HSET', key, 'conversation_id', ARGV[4], 'last_activity', ARGV[5])
redis.call('HINCRBY', key, 'message_count', ARGV[6])
redis.call('PEXPIRE', key, ARGV[7])
return {redis.call('HGETALL', key), redis.call('PTTL', key)}
)lua");

const redis::RedisScript kGet(R"lua(
return {redis.call('HGETALL', KEYS[1]), redis.call('PTTL', KEYS[1])}
)lua");

std::int64_t to_int(const std::string& text) {
  try {
    return std::stoll(text);
  } catch (const std::exception&) {
    return 0;
  }
}

std::optional<Session> parse(const redis::RedisReply& reply, std::int64_t now) {
  if (reply.elements.size() != 2 || reply.elements[0].elements.empty()) return std::nullopt;
  std::map<std::string, std::string> fields;
  const auto& flat = reply.elements[0].elements;
  for (std::size_t i = 0; i + 1 < flat.size(); i += 2) fields[flat[i].string] = flat[i + 1].string;
  const std::int64_t ttl_ms = reply.elements[1].integer;
  if (ttl_ms <= 0) return std::nullopt;  // -2: gone; -1 cannot happen (every touch sets one)
  Session session;
  session.session_id = fields["session_id"];
  session.user_id = fields["user_id"];
  session.agent_id = fields["agent_id"];
  session.conversation_id = fields["conversation_id"];
  session.created_at_ms = to_int(fields["created_at"]);
  session.last_activity_ms = to_int(fields["last_activity"]);
  session.message_count = to_int(fields["message_count"]);
  session.expires_at_ms = now + ttl_ms;
  return session;
}

}  // namespace

std::string RedisSessionStore::key_of(const std::string& user_id,
                                      const std::string& agent_id) const {
  return prefix_ + "session:" + agent_id + ":" + user_id;
}

Session RedisSessionStore::touch(const std::string& user_id, const std::string& agent_id,
                                 const std::string& conversation_id, std::int64_t messages_added) {
  const std::int64_t now = wall_clock_ms();
  const auto ttl_ms = ttl_.count();
  const auto reply =
      client_.eval(kTouch, {key_of(user_id, agent_id)},
                   {ids::random_uuid(), user_id, agent_id, conversation_id, std::to_string(now),
                    std::to_string(messages_added), std::to_string(ttl_ms)});
  auto session = parse(reply, now);
  if (!session) throw redis::RedisCommandError("the session script returned no session");
  return *session;
}

std::optional<Session> RedisSessionStore::get(const std::string& user_id,
                                              const std::string& agent_id) const {
  return parse(client_.eval(kGet, {key_of(user_id, agent_id)}, {}), wall_clock_ms());
}

}  // namespace agent_host::store
