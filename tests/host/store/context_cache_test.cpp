// The context cache contract, in process and in Redis (a real redis-server on loopback).
#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <thread>

#include "store/memory_context_cache.h"
#include "store/redis/redis_client.h"
#include "store/redis_context_cache.h"
#include "support/redis_server.h"
#include "support/stored_message.h"

using namespace agent_host::store;
using agent_test::stored_message;
using namespace std::chrono_literals;

namespace {

Conversation conversation_at(const std::string& id, std::int64_t count) {
  Conversation c;
  c.id = id;
  c.user_id = "u";
  c.agent_id = "a";
  c.created_at_ms = 1000;
  c.updated_at_ms = 2000 + count;
  c.message_count = count;
  return c;
}

std::vector<std::string> contents(const CachedContext& context) {
  std::vector<std::string> out;
  for (const auto& m : context.messages) out.push_back(m.content);
  return out;
}

using MakeCache = std::function<std::unique_ptr<ContextCache>(std::size_t window)>;

void check_cache_contract(const MakeCache& make) {
  SECTION("appends extend the window, trimmed to its size, and keep every message field") {
    auto cache = make(3);
    CHECK_FALSE(cache->get("c1"));
    cache->update(conversation_at("c1", 0), {});
    auto message = stored_message("1", "user", "q1 \xc3\xa9", 5);
    message.created_at_ms = 1764475684123;
    cache->update(conversation_at("c1", 2), {message, stored_message("2", "assistant", "a1", 7)});
    auto got = cache->get("c1");
    REQUIRE(got);
    CHECK(got->conversation.message_count == 2);
    CHECK(got->conversation.user_id == "u");
    REQUIRE(got->messages.size() == 2);
    CHECK(got->messages[0].content == "q1 \xc3\xa9");
    CHECK(got->messages[0].created_at_ms == 1764475684123);
    CHECK(got->messages[1].tokens == 7);
    cache->update(conversation_at("c1", 4), {stored_message("3", "user", "q2", 1),
                                             stored_message("4", "assistant", "a2", 1)});
    got = cache->get("c1");
    REQUIRE(got);
    CHECK(contents(*got) == std::vector<std::string>{"a1", "q2", "a2"});
    CHECK(got->conversation.message_count == 4);
  }
  SECTION("an update that skips a version restarts the window; an older one changes nothing") {
    auto cache = make(10);
    cache->update(conversation_at("c1", 2), {stored_message("1", "user", "q1", 1),
                                             stored_message("2", "assistant", "a1", 1)});
    // Another host appended messages 3 and 4 without updating this cache: 5 and 6 follow 4.
    cache->update(conversation_at("c1", 6), {stored_message("5", "user", "q3", 1),
                                             stored_message("6", "assistant", "a3", 1)});
    auto got = cache->get("c1");
    REQUIRE(got);
    CHECK(contents(*got) == std::vector<std::string>{"q3", "a3"});
    // A late host's update for version 4 must not overwrite version 6.
    cache->update(conversation_at("c1", 4), {stored_message("3", "user", "q2", 1),
                                             stored_message("4", "assistant", "a2", 1)});
    got = cache->get("c1");
    CHECK(got->conversation.message_count == 6);
    CHECK(contents(*got) == std::vector<std::string>{"q3", "a3"});
    // Catching up with the store's version without messages drops a stale window.
    cache->update(conversation_at("c1", 8), {});
    got = cache->get("c1");
    CHECK(got->conversation.message_count == 8);
    CHECK(got->messages.empty());
  }
}

}  // namespace

TEST_CASE("the in-process context cache keeps the cache contract", "[store][cache]") {
  check_cache_contract([](std::size_t window) {
    return std::make_unique<MemoryContextCache>(ContextCacheLimits{window, 100});
  });
}

TEST_CASE("the in-process context cache holds at most max_conversations, least recently used out",
          "[store][cache]") {
  MemoryContextCache cache(ContextCacheLimits{5, 2});
  cache.update(conversation_at("a", 0), {});
  cache.update(conversation_at("b", 0), {});
  CHECK(cache.get("a"));  // b is now the least recently used
  cache.update(conversation_at("c", 0), {});
  CHECK(cache.size() == 2);
  CHECK(cache.get("a"));
  CHECK_FALSE(cache.get("b"));
  CHECK(cache.get("c"));
}

TEST_CASE("the Redis context cache keeps the cache contract", "[store][cache][redis]") {
  agent_test::RedisServer server;
  redis::RedisOptions options;
  options.port = static_cast<int>(server.port());
  redis::RedisClient client(options);
  int prefix = 0;
  check_cache_contract([&](std::size_t window) {
    return std::make_unique<RedisContextCache>(client, "t" + std::to_string(++prefix) + ":", window,
                                               60s);
  });
}

TEST_CASE("Redis context cache entries expire after their ttl", "[store][cache][redis]") {
  agent_test::RedisServer server;
  redis::RedisOptions options;
  options.port = static_cast<int>(server.port());
  redis::RedisClient client(options);
  RedisContextCache cache(client, "agent-host:", 10, 200ms);
  cache.update(conversation_at("c1", 1), {stored_message("1", "user", "q", 1)});
  CHECK(client.command({"EXISTS", "agent-host:context:{c1}"}).integer == 1);
  CHECK(client.command({"EXISTS", "agent-host:context:{c1}:messages"}).integer == 1);
  std::this_thread::sleep_for(300ms);
  CHECK_FALSE(cache.get("c1"));
  CHECK(client.command({"EXISTS", "agent-host:context:{c1}:messages"}).integer == 0);
}
