#include "store/redis_context_cache.h"

#include <nlohmann/json.hpp>

namespace agent_host::store {
namespace {

// KEYS: the hash, the list. ARGV: version, conversation JSON, ttl ms, window, messages...
const redis::RedisScript kUpdate(R"lua(
local cached = tonumber(redis.call('HGET', KEYS[1], 'v') or '-1')
local version = tonumber(ARGV[1])
if cached > version then return 0 end
local added = #ARGV - 4
if cached ~= version - added then redis.call('DEL', KEYS[2]) end
if added > 0 then redis.call('RPUSH', KEYS[2], unpack(ARGV, 5)) end
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'c', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
)lua");

const redis::RedisScript kGet(R"lua(
return {redis.call('HGET', KEYS[1], 'c'), redis.call('LRANGE', KEYS[2], 0, -1)}
)lua");

nlohmann::json to_json(const Conversation& c) {
  return {{"id", c.id},
          {"user_id", c.user_id},
          {"tenant", c.tenant},
          {"agent_id", c.agent_id},
          {"created_at_ms", c.created_at_ms},
          {"updated_at_ms", c.updated_at_ms},
          {"message_count", c.message_count}};
}

nlohmann::json to_json(const Message& m) {
  return {{"id", m.id},
          {"role", m.role},
          {"content", m.content},
          {"tokens", m.tokens},
          {"created_at_ms", m.created_at_ms},
          {"interrupted", m.interrupted},
          {"provider", m.provider},
          {"model", m.model},
          {"tool_calls", m.tool_calls},
          {"tool_call_id", m.tool_call_id}};
}

Conversation conversation_from(const nlohmann::json& j) {
  Conversation c;
  c.id = j.at("id").get<std::string>();
  c.user_id = j.at("user_id").get<std::string>();
  c.tenant = j.value("tenant", "");  // entries written before tenants existed: the default one
  c.agent_id = j.at("agent_id").get<std::string>();
  c.created_at_ms = j.at("created_at_ms").get<std::int64_t>();
  c.updated_at_ms = j.at("updated_at_ms").get<std::int64_t>();
  c.message_count = j.at("message_count").get<std::int64_t>();
  return c;
}

Message message_from(const nlohmann::json& j) {
  Message m;
  m.id = j.at("id").get<std::string>();
  m.role = j.at("role").get<std::string>();
  m.content = j.at("content").get<std::string>();
  m.tokens = j.at("tokens").get<std::int64_t>();
  m.created_at_ms = j.at("created_at_ms").get<std::int64_t>();
  m.interrupted = j.at("interrupted").get<bool>();
  m.provider = j.at("provider").get<std::string>();
  m.model = j.at("model").get<std::string>();
  m.tool_calls = j.at("tool_calls").get<std::string>();
  // Absent in entries cached by a host older than tool messages.
  m.tool_call_id = j.value("tool_call_id", std::string());
  return m;
}

}  // namespace

std::string RedisContextCache::key_of(const std::string& conversation_id) const {
  return prefix_ + "context:{" + conversation_id + "}";
}

std::optional<CachedContext> RedisContextCache::get(const std::string& conversation_id) {
  const std::string key = key_of(conversation_id);
  const auto reply = client_.eval(kGet, {key, key + ":messages"}, {});
  if (reply.elements.size() != 2 || reply.elements[0].type != redis::RedisReply::Type::string) {
    return std::nullopt;
  }
  try {
    CachedContext context;
    context.conversation = conversation_from(nlohmann::json::parse(reply.elements[0].string));
    for (const auto& item : reply.elements[1].elements) {
      context.messages.push_back(message_from(nlohmann::json::parse(item.string)));
    }
    return context;
  } catch (const nlohmann::json::exception& e) {
    // Written by another version of the host, or by hand: treated as a miss.
    throw redis::RedisCommandError("unreadable context cache entry " + key + ": " + e.what());
  }
}

void RedisContextCache::update(const Conversation& conversation,
                               const std::vector<Message>& added) {
  const std::string key = key_of(conversation.id);
  std::vector<std::string> args{std::to_string(conversation.message_count),
                                to_json(conversation).dump(), std::to_string(ttl_.count()),
                                std::to_string(window_)};
  for (const auto& message : added) args.push_back(to_json(message).dump());
  client_.eval(kUpdate, {key, key + ":messages"}, args);
}

void RedisContextCache::erase(const std::string& conversation_id) {
  const std::string key = key_of(conversation_id);
  client_.command({"DEL", key, key + ":messages"});
}

}  // namespace agent_host::store
