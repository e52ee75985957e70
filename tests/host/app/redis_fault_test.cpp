// A whole host with sessions and the context cache in a real redis-server, which is stopped and
// restarted while the host serves: chat never fails, /health says degraded, then ok again,
// without restarting the host.
#include <catch2/catch.hpp>
#include <thread>

#include "store/redis/redis_client.h"
#include "support/redis_server.h"
#include "support/test_host.h"

using agent_test::post_json;
using namespace std::chrono_literals;

namespace {

std::function<void(agent_host::app::HostConfig&)> with_redis(
    unsigned port, const std::string& password_secret = "") {
  return [port, password_secret](agent_host::app::HostConfig& config) {
    agent_host::app::RedisConfig redis;
    redis.connection.port = static_cast<int>(port);
    redis.connection.check_interval = 200ms;
    redis.connection.command_timeout = 300ms;
    redis.password_secret = password_secret;
    config.redis = redis;
  };
}

nlohmann::json health(unsigned port) {
  const auto result = agent_test::http_request(port, "GET", "/health");
  REQUIRE(result.status == 200);  // liveness: the host serves whatever its dependencies do
  return result.json;
}

// Polls /health (bounded) until Redis has `status`.
bool wait_for_redis(unsigned port, const std::string& status) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (health(port)["dependencies"]["redis"]["status"] != status) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

agent_test::HttpResult chat(unsigned port, const std::string& message,
                            const std::string& conversation_id = "") {
  nlohmann::json body = {{"user_id", "alice"}, {"message", message}};
  if (!conversation_id.empty()) body["conversation_id"] = conversation_id;
  return post_json(port, "/agents/agent_alpha/chat", body);
}

}  // namespace

TEST_CASE("without redis, sessions live in process: a user's turns with an agent share a session",
          "[app][sessions]") {
  agent_test::TestHost host;
  const auto first = chat(host.port(), "What is an index fund?");
  REQUIRE(first.status == 200);
  const std::string session = first.json.value("session_id", "");
  CHECK(session.size() == 36);
  const auto second =
      chat(host.port(), "And a bond?", first.json["conversation_id"].get<std::string>());
  REQUIRE(second.status == 200);
  CHECK(second.json["session_id"] == session);
  CHECK(second.json["message_count"] == 4);
  const auto other = post_json(host.port(), "/agents/agent_beta/chat",
                               {{"user_id", "alice"}, {"message", "A tagline?"}});
  CHECK(other.json["session_id"] != session);
  const auto status = health(host.port());
  CHECK(status["status"] == "ok");
  CHECK(status["dependencies"] == nlohmann::json::object());
}

TEST_CASE(
    "a host rides out a redis outage: chat keeps working, /health degrades, then recovers "
    "without a restart",
    "[app][redis]") {
  agent_test::RedisServer redis;
  agent_test::TestHost host(with_redis(redis.port()));
  const unsigned port = host.port();

  const auto first = chat(port, "How should I diversify?");
  REQUIRE(first.status == 200);
  const std::string conversation = first.json["conversation_id"];
  const std::string session = first.json.value("session_id", "");
  CHECK(session.size() == 36);
  auto status = health(port);
  CHECK(status["status"] == "ok");
  CHECK(status["dependencies"]["redis"]["status"] == "ok");

  redis.stop();
  const auto during = chat(port, "And for retirement?", conversation);
  REQUIRE(during.status == 200);
  CHECK(during.json["message_count"] == 4);  // the durable store has the whole conversation
  CHECK_FALSE(during.json.contains("session_id"));
  REQUIRE(wait_for_redis(port, "degraded"));
  status = health(port);
  CHECK(status["status"] == "degraded");
  CHECK_THAT(status["dependencies"]["redis"].value("last_error", ""),
             Catch::Contains("127.0.0.1:" + std::to_string(redis.port())));
  const auto read = agent_test::http_request(port, "GET", "/conversations/" + conversation);
  REQUIRE(read.status == 200);
  CHECK(read.json["messages"].size() == 4);
  // Turns go on, fast (Redis calls fail without network while it is down).
  for (int i = 0; i < 3; ++i) CHECK(chat(port, "More?", conversation).status == 200);

  redis.start();
  REQUIRE(wait_for_redis(port, "ok"));
  CHECK(health(port)["status"] == "ok");
  const auto after = chat(port, "Thanks", conversation);
  REQUIRE(after.status == 200);
  CHECK(after.json["message_count"] == 12);
  // Redis came back empty (no persistence in the test): a new session starts.
  CHECK(after.json.value("session_id", "").size() == 36);
  CHECK(after.json.value("session_id", "") != session);
  const auto again = chat(port, "Bye", conversation);
  CHECK(again.json["session_id"] == after.json["session_id"]);
  // The history the model saw came through the refilled cache: the conversation is intact.
  const auto all = agent_test::http_request(port, "GET", "/conversations/" + conversation);
  CHECK(all.json["messages"].size() == 14);
}

TEST_CASE("a host starts with an unreachable redis: it serves, degraded, and says why",
          "[app][redis]") {
  agent_test::RedisServer redis;
  redis.stop();  // a port where nothing listens
  agent_test::TestHost host(with_redis(redis.port()));
  const auto status = health(host.port());
  CHECK(status["status"] == "degraded");
  CHECK_THAT(
      status["dependencies"]["redis"].value("last_error", ""),
      Catch::Contains("cannot connect to Redis at 127.0.0.1:" + std::to_string(redis.port())));
  const auto answer = chat(host.port(), "Hello");
  CHECK(answer.status == 200);
  redis.start();
  CHECK(wait_for_redis(host.port(), "ok"));
}

TEST_CASE("a host given a wrong redis password serves, degraded, naming the refusal",
          "[app][redis]") {
  agent_test::RedisServer redis({"--requirepass", "right-password"});
  agent_test::TestHost host([&](agent_host::app::HostConfig& config) {
    with_redis(redis.port(), "redis_password")(config);
    config.secrets["redis_password"] = {agent_host::plugins::SecretSource::Type::value,
                                        "not-the-password"};
  });
  const auto status = health(host.port());
  CHECK(status["status"] == "degraded");
  const std::string error = status["dependencies"]["redis"].value("last_error", "");
  CHECK_THAT(error, Catch::Contains("refused the password"));
  CHECK_THAT(error, !Catch::Contains("not-the-password"));  // the password itself is never shown
  CHECK(chat(host.port(), "Hello").status == 200);
}

TEST_CASE("a host with the right redis password keeps sessions in redis", "[app][redis]") {
  agent_test::RedisServer redis({"--requirepass", "right-password"});
  agent_test::TestHost host([&](agent_host::app::HostConfig& config) {
    with_redis(redis.port(), "redis_password")(config);
    config.secrets["redis_password"] = {agent_host::plugins::SecretSource::Type::value,
                                        "right-password"};
  });
  CHECK(health(host.port())["dependencies"]["redis"]["status"] == "ok");
  const auto answer = chat(host.port(), "Hello");
  REQUIRE(answer.status == 200);
  agent_host::store::redis::RedisOptions options;
  options.port = static_cast<int>(redis.port());
  options.password = "right-password";
  agent_host::store::redis::RedisClient client(options);
  const auto session =
      client.command({"HGET", "agent-host:session:agent_alpha:alice", "session_id"});
  CHECK(session.string == answer.json["session_id"]);
}
