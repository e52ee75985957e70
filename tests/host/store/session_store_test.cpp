// The session store contract, run against the in-process store and against Redis (a real
// redis-server on loopback).
#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <thread>

#include "store/memory_session_store.h"
#include "store/redis/redis_client.h"
#include "store/redis_session_store.h"
#include "support/redis_server.h"

using namespace agent_host::store;
using namespace std::chrono_literals;

namespace {

using MakeStore = std::function<std::unique_ptr<SessionStore>(std::chrono::milliseconds ttl)>;

void check_session_contract(const MakeStore& make) {
  SECTION("a first turn creates the session; later turns count messages and slide the expiry") {
    auto store = make(60s);
    CHECK_FALSE(store->get("alice", "agent_alpha"));
    const Session first = store->touch("alice", "agent_alpha", "c1", 2);
    CHECK(first.session_id.size() == 36);
    CHECK(first.user_id == "alice");
    CHECK(first.agent_id == "agent_alpha");
    CHECK(first.conversation_id == "c1");
    CHECK(first.message_count == 2);
    CHECK(first.created_at_ms == first.last_activity_ms);
    CHECK(first.expires_at_ms - first.last_activity_ms > 59000);
    CHECK(first.expires_at_ms - first.last_activity_ms <= 60000);
    std::this_thread::sleep_for(5ms);
    const Session second = store->touch("alice", "agent_alpha", "c2", 2);
    CHECK(second.session_id == first.session_id);
    CHECK(second.message_count == 4);
    CHECK(second.conversation_id == "c2");
    CHECK(second.created_at_ms == first.created_at_ms);
    CHECK(second.last_activity_ms > first.last_activity_ms);
    CHECK(second.expires_at_ms > first.expires_at_ms);
    const auto read = store->get("alice", "agent_alpha");
    REQUIRE(read);
    CHECK(read->session_id == first.session_id);
    CHECK(read->message_count == 4);
    CHECK(read->last_activity_ms == second.last_activity_ms);
  }
  SECTION("sessions are per user and agent") {
    auto store = make(60s);
    const auto a = store->touch("alice", "agent_alpha", "c1", 2);
    const auto b = store->touch("alice", "agent_beta", "c2", 2);
    const auto c = store->touch("bob", "agent_alpha", "c3", 2);
    CHECK(a.session_id != b.session_id);
    CHECK(a.session_id != c.session_id);
    // A user id holding the key separator is a user of its own (agent ids never hold one).
    const auto d = store->touch("alice:agent_beta", "agent_alpha", "c4", 2);
    CHECK(d.session_id != a.session_id);
    CHECK(d.session_id != b.session_id);
    CHECK(d.message_count == 2);
    CHECK(store->get("alice", "agent_alpha")->message_count == 2);
  }
  SECTION("a session expires after its ttl without activity and then starts afresh") {
    auto store = make(200ms);
    const auto first = store->touch("alice", "agent_alpha", "c1", 2);
    CHECK(store->get("alice", "agent_alpha"));
    std::this_thread::sleep_for(300ms);
    CHECK_FALSE(store->get("alice", "agent_alpha"));
    const auto next = store->touch("alice", "agent_alpha", "c1", 2);
    CHECK(next.session_id != first.session_id);
    CHECK(next.message_count == 2);
  }
}

}  // namespace

TEST_CASE("the in-process session store keeps the session contract", "[store][sessions]") {
  check_session_contract([](std::chrono::milliseconds ttl) {
    return std::make_unique<MemorySessionStore>(SessionLimits{ttl, 1000});
  });
}

TEST_CASE("the in-process session store evicts the least recently active session when full",
          "[store][sessions]") {
  MemorySessionStore store(SessionLimits{60s, 2});
  store.touch("a", "x", "c", 2);
  store.touch("b", "x", "c", 2);
  store.touch("a", "x", "c", 2);  // b is now the least recently active
  store.touch("c", "x", "c", 2);
  CHECK(store.size() == 2);
  CHECK(store.get("a", "x"));
  CHECK_FALSE(store.get("b", "x"));
  CHECK(store.get("c", "x"));
}

TEST_CASE("the Redis session store keeps the session contract", "[store][sessions][redis]") {
  agent_test::RedisServer server;
  agent_host::store::redis::RedisOptions options;
  options.port = static_cast<int>(server.port());
  agent_host::store::redis::RedisClient client(options);
  int prefix = 0;  // each section its own keys
  check_session_contract([&](std::chrono::milliseconds ttl) {
    return std::make_unique<RedisSessionStore>(client, "t" + std::to_string(++prefix) + ":", ttl);
  });
}

TEST_CASE("Redis sessions are shared by every host using the same Redis",
          "[store][sessions][redis]") {
  agent_test::RedisServer server;
  agent_host::store::redis::RedisOptions options;
  options.port = static_cast<int>(server.port());
  agent_host::store::redis::RedisClient one(options);
  agent_host::store::redis::RedisClient two(options);
  RedisSessionStore host_a(one, "agent-host:", 60s);
  RedisSessionStore host_b(two, "agent-host:", 60s);
  const auto first = host_a.touch("alice", "agent_alpha", "c1", 2);
  const auto second = host_b.touch("alice", "agent_alpha", "c1", 2);
  CHECK(second.session_id == first.session_id);
  CHECK(second.message_count == 4);
}
