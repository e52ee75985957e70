#include "store/redis/redis_client.h"

#include <catch2/catch.hpp>
#include <thread>

#include "support/redis_server.h"

using namespace agent_host::store::redis;
using namespace std::chrono_literals;

namespace {

RedisOptions options_for(const agent_test::RedisServer& server) {
  RedisOptions options;
  options.port = static_cast<int>(server.port());
  options.check_interval = 200ms;
  return options;
}

// Waits (bounded) until the client's health is `ok`.
bool wait_for_status(const RedisClient& client, bool ok) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (client.status().ok != ok) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

}  // namespace

TEST_CASE("redis URLs give host, port and database, credentials and TLS are refused clearly",
          "[store][redis]") {
  RedisOptions options;
  parse_redis_url("redis://cache.internal:6380/3", options);
  CHECK(options.host == "cache.internal");
  CHECK(options.port == 6380);
  CHECK(options.database == 3);
  RedisOptions defaults;
  parse_redis_url("redis://", defaults);
  CHECK(defaults.host == "127.0.0.1");
  CHECK(defaults.port == 6379);
  CHECK(defaults.database == 0);
  RedisOptions v6;
  parse_redis_url("redis://[::1]:7000", v6);
  CHECK(v6.host == "::1");
  CHECK(v6.port == 7000);
  CHECK_THROWS_WITH(parse_redis_url("rediss://h:6379", options), Catch::Contains("TLS"));
  CHECK_THROWS_WITH(parse_redis_url("redis://u:pw@h", options), Catch::Contains("password_secret"));
  CHECK_THROWS_WITH(parse_redis_url("http://h", options), Catch::Contains("redis://"));
  CHECK_THROWS_WITH(parse_redis_url("redis://h:99999", options), Catch::Contains("port"));
  CHECK_THROWS_WITH(parse_redis_url("redis://h/x", options), Catch::Contains("database"));
}

TEST_CASE("the redis client runs commands and Lua scripts, on the configured database",
          "[store][redis]") {
  agent_test::RedisServer server;
  RedisOptions options = options_for(server);
  options.database = 2;
  RedisClient client(options);
  CHECK(client.status().ok);
  CHECK(client.command({"SET", "k", std::string("a\0b", 3)}).string == "OK");
  CHECK(client.command({"GET", "k"}).string == std::string("a\0b", 3));
  CHECK(client.command({"GET", "missing"}).type == RedisReply::Type::nil);
  const RedisScript script("return {KEYS[1], ARGV[1], 7}");
  const auto reply = client.eval(script, {"key"}, {"arg"});
  REQUIRE(reply.elements.size() == 3);
  CHECK(reply.elements[0].string == "key");
  CHECK(reply.elements[2].integer == 7);
  CHECK(client.eval(script, {"again"}, {"x"}).elements[0].string == "again");  // by its SHA1
  CHECK_THROWS_AS(client.command({"NOSUCHCOMMAND"}), RedisCommandError);
  CHECK(client.status().ok);  // a wrong command is not an outage
  RedisOptions db0 = options_for(server);
  RedisClient other(db0);
  CHECK(other.command({"GET", "k"}).type == RedisReply::Type::nil);
}

TEST_CASE("an unreachable redis leaves the client degraded with a clear error, calls fail fast",
          "[store][redis]") {
  agent_test::RedisServer server;
  RedisOptions options = options_for(server);
  server.stop();
  RedisClient client(options);
  const auto status = client.status();
  CHECK_FALSE(status.ok);
  CHECK_THAT(status.last_error, Catch::Contains("127.0.0.1:" + std::to_string(server.port())));
  CHECK_THROWS_AS(client.command({"PING"}), RedisUnavailable);
  server.start();
  REQUIRE(wait_for_status(client, true));
  CHECK(client.command({"PING"}).string == "PONG");
}

TEST_CASE("a wrong redis password is reported as such and the client stays degraded",
          "[store][redis]") {
  agent_test::RedisServer server({"--requirepass", "right"});
  RedisOptions options = options_for(server);
  options.password = "wrong";
  RedisClient client(options);
  CHECK_FALSE(client.status().ok);
  CHECK_THAT(client.status().last_error, Catch::Contains("refused the password"));
  CHECK_THROWS_AS(client.command({"PING"}), RedisUnavailable);
  options.password = "right";
  RedisClient good(options);
  CHECK(good.status().ok);
  CHECK(good.command({"PING"}).string == "PONG");
}

TEST_CASE("the redis client notices a restart, fails fast meanwhile and reconnects by itself",
          "[store][redis]") {
  agent_test::RedisServer server;
  RedisClient client(options_for(server));
  client.command({"SET", "k", "v"});
  server.stop();
  // The next call finds the connection dead (or the monitor found it first): unavailable.
  CHECK_THROWS_AS(client.command({"GET", "k"}), RedisUnavailable);
  REQUIRE(wait_for_status(client, false));
  CHECK_THROWS_AS(client.command({"GET", "k"}), RedisUnavailable);
  server.start();
  REQUIRE(wait_for_status(client, true));
  // A fresh server (no persistence): the key is gone, the client works.
  CHECK(client.command({"GET", "k"}).type == RedisReply::Type::nil);
  // The script cache was emptied by the restart too: EVALSHA falls back to EVAL.
  CHECK(client.eval(RedisScript("return 1"), {}, {}).integer == 1);
}

TEST_CASE("a redis that does not answer costs a call its command timeout, not a hang",
          "[store][redis]") {
  agent_test::RedisServer server;
  RedisOptions options = options_for(server);
  options.command_timeout = 200ms;
  RedisClient client(options);
  RedisClient admin(options_for(server));
  // The server holds every client's commands for 1.5 s; the client gives up after 200 ms.
  admin.command({"CLIENT", "PAUSE", "1500", "ALL"});
  CHECK_THROWS_WITH(client.command({"PING"}), Catch::Contains("command timeout"));
  REQUIRE(wait_for_status(client, true));
  CHECK(client.command({"PING"}).string == "PONG");
}
