// The context cache in front of a durable store. The durable store is the real in-process one
// behind a switch that makes every call fail, as a database that went down would.
#include "store/cached_conversation_store.h"

#include <catch2/catch.hpp>

#include "store/memory_context_cache.h"
#include "store/memory_conversation_store.h"
#include "store/redis/redis_client.h"
#include "store/redis_context_cache.h"
#include "support/redis_server.h"
#include "support/stored_message.h"

using namespace agent_host::store;
using agent_test::stored_message;
using namespace std::chrono_literals;

namespace {

class SwitchableStore final : public ConversationStore {
 public:
  bool down = false;
  mutable int reads = 0;  // recent_messages and messages calls that reached the store

  std::optional<Conversation> find(const std::string& id) const override {
    check();
    return store_.find(id);
  }
  Conversation create(const std::string& user, const std::string& agent,
                      const std::string& tenant = "") override {
    check();
    return store_.create(user, agent, tenant);
  }
  Conversation create_with_messages(const std::string& user, const std::string& agent,
                                    const std::string& tenant,
                                    const std::vector<Message>& messages) override {
    check();
    return store_.create_with_messages(user, agent, tenant, messages);
  }
  std::vector<Message> recent_messages(const std::string& id, std::size_t limit) const override {
    check();
    ++reads;
    return store_.recent_messages(id, limit);
  }
  Page<Message> message_page(const std::string& id, std::size_t limit,
                             const std::string& cursor) const override {
    check();
    ++reads;
    return store_.message_page(id, limit, cursor);
  }
  Page<Conversation> list(const ConversationQuery& query) const override {
    check();
    return store_.list(query);
  }
  bool remove(const std::string& id) override {
    check();
    return store_.remove(id);
  }
  Conversation append(const std::string& id, const std::vector<Message>& messages) override {
    check();
    return store_.append(id, messages);
  }

 private:
  void check() const {
    if (down) throw std::runtime_error("connection to the database refused");
  }
  MemoryConversationStore store_{MemoryStoreLimits{100, 6}};
};

std::vector<Message> turn(int n) {
  const std::string q = "q" + std::to_string(n);
  const std::string a = "a" + std::to_string(n);
  return {stored_message(q.c_str(), "user", q.c_str(), 1),
          stored_message(a.c_str(), "assistant", a.c_str(), 1)};
}

std::vector<std::string> contents(const std::vector<Message>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.content);
  return out;
}

void check_cached_store(ContextCache& cache) {
  SwitchableStore durable;
  CachedConversationStore store(durable, cache);
  const auto conversation = store.create("u", "a");
  store.append(conversation.id, turn(1));
  store.append(conversation.id, turn(2));

  SECTION("a turn's history comes from the cache, written through on append") {
    REQUIRE(store.find(conversation.id)->message_count == 4);
    CHECK(contents(store.recent_messages(conversation.id, 3)) ==
          std::vector<std::string>{"a1", "q2", "a2"});
    CHECK(contents(store.messages(conversation.id)).size() == 4);
    CHECK(durable.reads == 0);
  }
  SECTION("a miss reads the durable store and refills the window") {
    // A conversation the cache has not seen (written by another host, or evicted).
    const auto other = durable.create("u", "a");
    durable.append(other.id, turn(1));
    durable.append(other.id, turn(2));
    REQUIRE(store.find(other.id)->message_count == 4);  // the cache learns the version only
    CHECK(contents(store.recent_messages(other.id, 2)) == std::vector<std::string>{"q2", "a2"});
    CHECK(durable.reads == 1);
    CHECK(contents(store.recent_messages(other.id, 4)).size() == 4);
    CHECK(durable.reads == 1);  // the refill took the whole window, not only the 2 asked
  }
  SECTION("an append the durable store refuses is not acknowledged and not cached") {
    store.append(conversation.id, turn(3));  // 6 messages: the store's limit
    CHECK_THROWS_AS(store.append(conversation.id, turn(4)), StoreFullError);
    durable.down = true;
    CHECK_THROWS_AS(store.append(conversation.id, turn(4)), std::runtime_error);
    durable.down = false;
    CHECK(store.find(conversation.id)->message_count == 6);
    CHECK(contents(store.recent_messages(conversation.id, 10)).back() == "a3");
    CHECK(store.messages(conversation.id).size() == 6);
  }
  SECTION("while the durable store is down, reads are served from the cache") {
    durable.down = true;
    const auto found = store.find(conversation.id);
    REQUIRE(found);
    CHECK(found->message_count == 4);
    CHECK(contents(store.recent_messages(conversation.id, 2)) ==
          std::vector<std::string>{"q2", "a2"});
    CHECK(store.messages(conversation.id).size() == 4);
    // What the cache never held cannot be read.
    CHECK_THROWS_AS(store.find("00000000-0000-0000-0000-000000000000"), std::runtime_error);
    CHECK_THROWS_AS(store.create("u", "a"), std::runtime_error);
  }
  SECTION("a deleted conversation is erased from the cache: no fallback read brings it back") {
    REQUIRE(store.remove(conversation.id));
    CHECK_FALSE(cache.get(conversation.id).has_value());
    durable.down = true;
    CHECK_THROWS_AS(store.find(conversation.id), std::runtime_error);
    CHECK_THROWS_AS(store.message_page(conversation.id, 100, ""), std::runtime_error);
  }
  SECTION("a later page is never served from the cache while the store is down") {
    durable.down = true;
    CHECK_THROWS_AS(store.message_page(conversation.id, 100, "some-cursor"), std::runtime_error);
    CHECK(store.message_page(conversation.id, 100, "").items.size() == 4);
  }
  SECTION("an entry that missed an append (another host) is corrected by the next find") {
    // The durable store grows behind the cache's back.
    durable.append(conversation.id, turn(3));
    const auto found = store.find(conversation.id);
    CHECK(found->message_count == 6);
    CHECK(contents(store.recent_messages(conversation.id, 2)) ==
          std::vector<std::string>{"q3", "a3"});
  }
}

}  // namespace

TEST_CASE(
    "the cached conversation store with the in-process cache: hits, misses, write-through "
    "and reads while the store is down",
    "[store][cache]") {
  MemoryContextCache cache(ContextCacheLimits{4, 100});
  check_cached_store(cache);
}

TEST_CASE(
    "the cached conversation store with the Redis cache: hits, misses, write-through and "
    "reads while the store is down",
    "[store][cache][redis]") {
  agent_test::RedisServer server;
  redis::RedisOptions options;
  options.port = static_cast<int>(server.port());
  redis::RedisClient client(options);
  RedisContextCache cache(client, "agent-host:", 4, 60s);
  check_cached_store(cache);
}

TEST_CASE("the cached conversation store goes to the durable store while Redis is down",
          "[store][cache][redis]") {
  agent_test::RedisServer server;
  redis::RedisOptions options;
  options.port = static_cast<int>(server.port());
  options.check_interval = 200ms;
  redis::RedisClient client(options);
  RedisContextCache cache(client, "agent-host:", 4, 60s);
  SwitchableStore durable;
  CachedConversationStore store(durable, cache);
  const auto conversation = store.create("u", "a");
  store.append(conversation.id, turn(1));
  server.stop();
  // Every call still works, from the durable store; the append is durable.
  CHECK(store.find(conversation.id)->message_count == 2);
  CHECK(store.append(conversation.id, turn(2)).message_count == 4);
  CHECK(contents(store.recent_messages(conversation.id, 2)) ==
        std::vector<std::string>{"q2", "a2"});
  CHECK(durable.reads == 1);
  server.start();  // an empty Redis: the cache fills again
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!client.status().ok && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  REQUIRE(client.status().ok);
  CHECK(store.find(conversation.id)->message_count == 4);
  store.recent_messages(conversation.id, 2);  // miss: refill
  CHECK(durable.reads == 2);
  CHECK(contents(store.recent_messages(conversation.id, 2)) ==
        std::vector<std::string>{"q2", "a2"});
  CHECK(durable.reads == 2);
}
