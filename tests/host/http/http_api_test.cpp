// Every route and every error status of the HTTP API, over a real socket.
#include <agent_sdk/agent_plugin.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "support/test_host.h"

using agent_test::http_request;
using agent_test::HttpResult;
using agent_test::post_json;
using agent_test::TestHost;
using nlohmann::json;

namespace {

// Every error has the same shape, and its request id is the X-Request-Id header.
void check_error(const HttpResult& result, int status, const std::string& code) {
  INFO(result.body);
  CHECK(result.status == status);
  REQUIRE(result.json.is_object());
  REQUIRE(result.json.contains("error"));
  CHECK(result.json["error"]["code"] == code);
  CHECK_FALSE(result.json["error"]["message"].get<std::string>().empty());
  CHECK(result.json["error"]["request_id"] == result.headers.at("X-Request-Id"));
  CHECK(result.headers.at("Content-Type") == "application/json");
}

json chat(const std::string& message, const std::string& user = "user-1") {
  return {{"user_id", user}, {"message", message}};
}

std::string repeat(const std::string& unit, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += unit;
  return out;
}

}  // namespace

TEST_CASE("GET /health reports ok with what is loaded", "[http][health]") {
  TestHost host;
  const auto result = http_request(host.port(), "GET", "/health");
  CHECK(result.status == 200);
  CHECK(result.json["status"] == "ok");
  CHECK(result.json["agents"] == 4);  // alpha, beta, gamma, fx
  CHECK(result.json["agents_refused"] == 1);
  CHECK(result.json["plugins_refused"] == 1);
  CHECK(result.json["version"] == AGENT_HOST_VERSION);
}

TEST_CASE("GET /agents lists the served agents and the refused files", "[http][agents]") {
  TestHost host;
  const auto result = http_request(host.port(), "GET", "/agents");
  REQUIRE(result.status == 200);
  std::vector<std::string> ids;
  for (const auto& agent : result.json["agents"]) ids.push_back(agent["id"]);
  CHECK(ids == std::vector<std::string>{"agent_alpha", "agent_beta", "agent_gamma", "fx"});
  CHECK(result.json["agents"][0]["personality"] == "analytical");
  CHECK(result.json["agents"][0]["domain"] == "financial_advisor");
  REQUIRE(result.json["refused"].size() == 1);
  CHECK(result.json["refused"][0]["agent_id"] == "broken");
  CHECK_THAT(result.json["refused"][0]["reason"].get<std::string>(),
             Catch::Contains("invalid JSON"));
}

TEST_CASE("GET /agents/{id} describes the agent and 404s an unknown one", "[http][agents]") {
  TestHost host;
  auto result = http_request(host.port(), "GET", "/agents/agent_alpha");
  REQUIRE(result.status == 200);
  CHECK(result.json["personality"]["id"] == "analytical");
  CHECK(result.json["personality"]["traits"] ==
        json{"data-driven", "systematic", "logical-reasoning"});
  CHECK(result.json["personality"]["tone"] == "professional");
  CHECK(result.json["domain"]["id"] == "financial_advisor");
  CHECK(result.json["provider"]["id"] == "offline");
  CHECK(result.json["history_limit"] == 20);

  check_error(http_request(host.port(), "GET", "/agents/nobody"), 404, "agent_not_found");
}

TEST_CASE("POST /agents/{id}/chat answers, continues the conversation and stores it",
          "[http][chat]") {
  TestHost host;
  auto first = post_json(host.port(), "/agents/agent_alpha/chat",
                         chat("How should I diversify my savings?"));
  REQUIRE(first.status == 200);
  CHECK(first.json["agent_id"] == "agent_alpha");
  const std::string conversation = first.json["conversation_id"];
  CHECK(conversation.size() == 36);
  CHECK_THAT(first.json["response"].get<std::string>(), Catch::Contains("offline provider"));
  CHECK(first.json["usage"]["total_tokens"].get<int>() > 0);
  CHECK(first.json["usage"]["total_tokens"] ==
        first.json["usage"]["prompt_tokens"].get<int>() +
            first.json["usage"]["completion_tokens"].get<int>());
  CHECK(first.json["message_count"] == 2);

  json next = chat("And what about fees?");
  next["conversation_id"] = conversation;
  auto second = post_json(host.port(), "/agents/agent_alpha/chat", next);
  REQUIRE(second.status == 200);
  CHECK(second.json["conversation_id"] == conversation);
  CHECK(second.json["message_count"] == 4);

  const auto stored = http_request(host.port(), "GET", "/conversations/" + conversation);
  REQUIRE(stored.status == 200);
  CHECK(stored.json["agent_id"] == "agent_alpha");
  CHECK(stored.json["user_id"] == "user-1");
  REQUIRE(stored.json["messages"].size() == 4);
  CHECK(stored.json["messages"][0]["role"] == "user");
  CHECK(stored.json["messages"][0]["content"] == "How should I diversify my savings?");
  CHECK(stored.json["messages"][1]["role"] == "assistant");
  CHECK(stored.json["messages"][1]["content"] == first.json["response"]);
  CHECK(stored.json["messages"][3]["content"] == second.json["response"]);
}

TEST_CASE("every reference agent answers through its own personality and domain", "[http][chat]") {
  TestHost host;
  for (const char* agent : {"agent_alpha", "agent_beta", "agent_gamma"}) {
    INFO(agent);
    const auto result =
        post_json(host.port(), std::string("/agents/") + agent + "/chat", chat("Hello there"));
    CHECK(result.status == 200);
    CHECK(result.json["agent_id"] == agent);
  }
}

TEST_CASE("a domain refusal is a normal answer that says why", "[http][chat]") {
  TestHost host;
  const auto result = post_json(host.port(), "/agents/fx/chat", chat("FORBIDDEN please"));
  REQUIRE(result.status == 200);
  CHECK(result.json["refusal"] == "forbidden topic (fixture)");
  CHECK(result.json["finish_reason"] == "refused");
}

TEST_CASE("the original design's validation limits are enforced in characters",
          "[http][validation]") {
  TestHost host;
  const auto path = "/agents/fx/chat";
  // Limits are characters, not bytes: 4000 two-byte characters and 100 three-byte ones pass.
  CHECK(post_json(host.port(), path, chat(repeat("é", 4000), repeat("€", 100))).status == 200);
  CHECK(post_json(host.port(), path, chat("x", repeat("u", 100))).status == 200);
  check_error(post_json(host.port(), path, chat(repeat("é", 4001))), 422, "invalid_request");
  check_error(post_json(host.port(), path, chat("")), 422, "invalid_request");
  check_error(post_json(host.port(), path, chat("hi", "")), 422, "invalid_request");
  check_error(post_json(host.port(), path, chat("hi", repeat("u", 101))), 422, "invalid_request");
  check_error(post_json(host.port(), path, {{"user_id", "u"}}), 422, "invalid_request");
  check_error(post_json(host.port(), path, {{"user_id", 5}, {"message", "hi"}}), 422,
              "invalid_request");
  check_error(post_json(host.port(), path, {{"user_id", "u"}, {"message", json::array()}}), 422,
              "invalid_request");
  auto bad_conversation = chat("hi");
  bad_conversation["conversation_id"] = "not-a-uuid";
  check_error(post_json(host.port(), path, bad_conversation), 422, "invalid_request");
  auto bad_context = chat("hi");
  bad_context["context"] = "text";
  check_error(post_json(host.port(), path, bad_context), 422, "invalid_request");
  check_error(post_json(host.port(), path, json::array()), 422, "invalid_request");
  auto message = post_json(host.port(), path, chat(repeat("é", 4001)));
  CHECK_THAT(message.json["error"]["message"].get<std::string>(),
             Catch::Contains("\"message\"") && Catch::Contains("4000"));
}

TEST_CASE("malformed bodies get 400, 413 and 415", "[http][validation]") {
  TestHost host;
  const auto path = "/agents/fx/chat";
  check_error(http_request(host.port(), "POST", path, "{\"user_id\": "), 400, "malformed_json");
  // A number beyond double's range is an out_of_range error in nlohmann, not a parse_error.
  check_error(http_request(host.port(), "POST", path, "{\"user_id\": 1e999}"), 400,
              "malformed_json");
  check_error(
      http_request(host.port(), "POST", path, "{\"user_id\": \"\xff\xfe\", \"message\": \"x\"}"),
      400, "invalid_utf8");
  check_error(
      http_request(host.port(), "POST", path, "user_id=u", "application/x-www-form-urlencoded"),
      415, "unsupported_media_type");
  check_error(http_request(host.port(), "POST", path, std::string(70 * 1024, ' ')), 413,
              "payload_too_large");
  // A charset parameter is fine.
  CHECK(
      http_request(host.port(), "POST", path, chat("hi").dump(), "application/json; charset=utf-8")
          .status == 200);
}

TEST_CASE("unknown routes, methods and conversations", "[http][routing]") {
  TestHost host;
  check_error(http_request(host.port(), "GET", "/nothing/here"), 404, "not_found");
  const auto wrong_method = http_request(host.port(), "DELETE", "/agents");
  check_error(wrong_method, 405, "method_not_allowed");
  CHECK(wrong_method.headers.at("Allow") == "GET");
  check_error(http_request(host.port(), "GET", "/agents/agent_alpha/chat"), 405,
              "method_not_allowed");
  check_error(post_json(host.port(), "/agents/nobody/chat", chat("hi")), 404, "agent_not_found");
  check_error(
      http_request(host.port(), "GET", "/conversations/00000000-0000-4000-8000-000000000000"), 404,
      "conversation_not_found");
  check_error(http_request(host.port(), "GET", "/conversations/not-a-uuid"), 404,
              "conversation_not_found");

  // Another user cannot continue someone's conversation; it is reported as unknown.
  const auto first = post_json(host.port(), "/agents/fx/chat", chat("hi", "alice"));
  auto theft = chat("hi", "mallory");
  theft["conversation_id"] = first.json["conversation_id"];
  check_error(post_json(host.port(), "/agents/fx/chat", theft), 404, "conversation_not_found");
  // Nor can another agent.
  auto crossover = chat("hi", "alice");
  crossover["conversation_id"] = first.json["conversation_id"];
  check_error(post_json(host.port(), "/agents/agent_beta/chat", crossover), 404,
              "conversation_not_found");
}

TEST_CASE("upstream and plugin failures map to 502, 504 and 500 and the host keeps serving",
          "[http][errors]") {
  TestHost host;
  check_error(post_json(host.port(), "/agents/fx/chat", chat("FAIL_UNAVAILABLE")), 502,
              "upstream_unavailable");
  check_error(post_json(host.port(), "/agents/fx/chat", chat("FAIL_TIMEOUT")), 504,
              "upstream_timeout");
  check_error(post_json(host.port(), "/agents/fx/chat", chat("FAIL_THROW")), 502, "upstream_error");
  check_error(post_json(host.port(), "/agents/fx/chat", chat("RULES_BROKEN")), 500, "plugin_error");
  CHECK(post_json(host.port(), "/agents/fx/chat", chat("still fine")).status == 200);
}

TEST_CASE("GET /plugins lists loaded plugins and refused files with reasons", "[http][plugins]") {
  TestHost host;
  const auto result = http_request(host.port(), "GET", "/plugins");
  REQUIRE(result.status == 200);
  // The bundled plugins are built against this tree's SDK header, so they share the host's ABI.
  const std::string abi = std::to_string(AGENT_ABI_MAJOR) + "." + std::to_string(AGENT_ABI_MINOR);
  CHECK(result.json["host_abi_version"] == abi);
  std::map<std::string, json> by_id;
  for (const auto& plugin : result.json["plugins"]) by_id[plugin["id"]] = plugin;
  for (const char* id : {"analytical", "creative", "empathetic", "financial_advisor",
                         "content_creator", "technical_support", "offline", "echo"}) {
    INFO(id);
    REQUIRE(by_id.count(id) == 1);
    CHECK(by_id[id]["state"] == "loaded");
    CHECK(by_id[id]["abi_version"] == abi);
    CHECK_FALSE(by_id[id]["version"].get<std::string>().empty());
  }
  // A plugin built for an older minor (ABI 1.0) is served by this newer host.
  CHECK(by_id["plain_c"]["abi_version"] == "1.0");
  CHECK(by_id["plain_c"]["state"] == "loaded");
  CHECK(by_id["offline"]["kind"] == "provider");
  CHECK(by_id["analytical"]["kind"] == "personality");
  REQUIRE(result.json["refused"].size() == 1);
  CHECK_THAT(result.json["refused"][0]["file"].get<std::string>(),
             Catch::EndsWith("not_a_library.so"));
  CHECK_THAT(result.json["refused"][0]["reason"].get<std::string>(),
             Catch::Contains("not a shared library"));
}

TEST_CASE("a client request id is echoed, otherwise one is generated", "[http][request-id]") {
  TestHost host;
  auto result =
      http_request(host.port(), "GET", "/health", "", "", {{"X-Request-Id", "trace-123"}});
  CHECK(result.headers.at("X-Request-Id") == "trace-123");
  result =
      http_request(host.port(), "GET", "/health", "", "", {{"X-Request-Id", "bad id\twith junk"}});
  CHECK(result.headers.at("X-Request-Id").size() == 36);
}

TEST_CASE("a store at capacity answers 507 and keeps what it has", "[http][errors]") {
  TestHost host([](auto& config) { config.store.memory.max_conversations = 1; });
  const auto first = post_json(host.port(), "/agents/fx/chat", chat("one"));
  REQUIRE(first.status == 200);
  check_error(post_json(host.port(), "/agents/fx/chat", chat("a second conversation")), 507,
              "store_full");
  const auto stored = http_request(
      host.port(), "GET", "/conversations/" + first.json["conversation_id"].get<std::string>());
  CHECK(stored.json["message_count"] == 2);
}

TEST_CASE("each request writes one access-log line with id, method, path, status and latency",
          "[http][logging]") {
  TestHost host;
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(16);
  const auto logger = agent_host::observability::access_logger();
  logger->sinks().push_back(sink);
  logger->set_level(spdlog::level::info);
  const auto result =
      http_request(host.port(), "GET", "/agents/nobody", "", "", {{"X-Request-Id", "log-check-1"}});
  // The line is written just after the response is sent: wait for it before detaching the sink.
  std::vector<std::string> lines;
  for (int i = 0; i < 200 && lines.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    lines = sink->last_formatted();
  }
  logger->sinks().pop_back();
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0],
             Catch::Contains("log-check-1 GET /agents/nobody 404 ") && Catch::Contains("ms"));
  CHECK(result.status == 404);
}
