// GET /conversations, GET /conversations/{id} with message pages, DELETE /conversations/{id}, on a
// host keeping conversations in SQLite (the embedded default).
#include <catch2/catch.hpp>
#include <set>

#include "support/test_host.h"

using agent_test::http_request;
using agent_test::post_json;
using agent_test::TestHost;
using nlohmann::json;

namespace {

TestHost sqlite_host() {
  return TestHost([](agent_host::app::HostConfig& config) {
    config.store.type = agent_host::store::StoreConfig::Type::sqlite;
    config.store.sqlite_path = config.agents_dir.parent_path() / "data/agent-host.db";
  });
}

std::string start_conversation(unsigned port, const std::string& agent, const std::string& user) {
  const auto answer =
      post_json(port, "/agents/" + agent + "/chat", {{"user_id", user}, {"message", "hello"}});
  REQUIRE(answer.status == 200);
  return answer.json["conversation_id"].get<std::string>();
}

}  // namespace

TEST_CASE("GET /conversations lists a user's conversations newest first, by agent, in pages",
          "[http][conversations]") {
  TestHost host = sqlite_host();
  std::vector<std::string> alpha;
  for (int i = 0; i < 3; ++i)
    alpha.push_back(start_conversation(host.port(), "agent_alpha", "ann"));
  const std::string beta = start_conversation(host.port(), "agent_beta", "ann");
  start_conversation(host.port(), "agent_alpha", "bob");

  std::vector<std::string> listed;
  std::string path = "/conversations?user_id=ann&agent_id=agent_alpha&limit=2";
  for (int pages = 0; pages < 10; ++pages) {
    const auto page = http_request(host.port(), "GET", path);
    REQUIRE(page.status == 200);
    for (const auto& item : page.json["conversations"]) {
      CHECK(item["user_id"] == "ann");
      CHECK(item["agent_id"] == "agent_alpha");
      CHECK(item["message_count"] == 2);
      listed.push_back(item["conversation_id"].get<std::string>());
    }
    if (page.json["next_cursor"].is_null()) break;
    path = "/conversations?user_id=ann&agent_id=agent_alpha&limit=2&cursor=" +
           page.json["next_cursor"].get<std::string>();
  }
  CHECK(listed.size() == 3);
  CHECK(std::set<std::string>(listed.begin(), listed.end()) ==
        std::set<std::string>(alpha.begin(), alpha.end()));

  const auto every = http_request(host.port(), "GET", "/conversations?user_id=ann");
  REQUIRE(every.status == 200);
  CHECK(every.json["conversations"].size() == 4);
  CHECK(every.json["next_cursor"].is_null());

  CHECK(http_request(host.port(), "GET", "/conversations").status == 422);
  CHECK(http_request(host.port(), "GET", "/conversations?user_id=ann&limit=0").status == 422);
  CHECK(http_request(host.port(), "GET", "/conversations?user_id=ann&limit=1001").status == 422);
  const auto forged = http_request(host.port(), "GET", "/conversations?user_id=ann&cursor=abc");
  CHECK(forged.status == 400);
  CHECK(forged.json["error"]["code"] == "invalid_cursor");
}

TEST_CASE("GET /conversations/{id} pages the messages, DELETE removes the conversation",
          "[http][conversations]") {
  TestHost host = sqlite_host();
  const std::string id = start_conversation(host.port(), "agent_alpha", "ann");
  for (int i = 0; i < 2; ++i) {
    REQUIRE(
        post_json(
            host.port(), "/agents/agent_alpha/chat",
            {{"user_id", "ann"}, {"message", "more " + std::to_string(i)}, {"conversation_id", id}})
            .status == 200);
  }
  const auto first = http_request(host.port(), "GET", "/conversations/" + id + "?limit=4");
  REQUIRE(first.status == 200);
  CHECK(first.json["message_count"] == 6);
  REQUIRE(first.json["messages"].size() == 4);
  CHECK(first.json["messages"][0]["content"] == "hello");
  REQUIRE(first.json["next_cursor"].is_string());
  const auto second = http_request(
      host.port(), "GET",
      "/conversations/" + id + "?limit=4&cursor=" + first.json["next_cursor"].get<std::string>());
  REQUIRE(second.status == 200);
  REQUIRE(second.json["messages"].size() == 2);
  CHECK(second.json["messages"][0]["content"] == "more 1");
  CHECK(second.json["messages"][1]["role"] == "assistant");
  CHECK(second.json["next_cursor"].is_null());

  const auto removed = http_request(host.port(), "DELETE", "/conversations/" + id);
  CHECK(removed.status == 204);
  CHECK(removed.body.empty());
  CHECK(http_request(host.port(), "GET", "/conversations/" + id).status == 404);
  CHECK(http_request(host.port(), "DELETE", "/conversations/" + id).status == 404);
  CHECK(http_request(host.port(), "DELETE", "/conversations/not-a-uuid").status == 404);
  // Continuing a deleted conversation is a 404 too, not a resurrection.
  CHECK(post_json(host.port(), "/agents/agent_alpha/chat",
                  {{"user_id", "ann"}, {"message", "again"}, {"conversation_id", id}})
            .status == 404);
}
