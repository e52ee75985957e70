#include "agents/provider_reply.h"

#include <catch2/catch.hpp>

#include "agents/tool_result_text.h"

using namespace agent_host::agents;

TEST_CASE("a provider reply with content, tool calls, usage, model and finish reason is read whole",
          "[agents][provider_reply]") {
  const auto reply = parse_provider_reply(
      R"({"message":{"content":"hi","tool_calls":[{"id":"c1","name":"f","arguments":"{}"}]},
          "usage":{"prompt_tokens":3,"completion_tokens":4},"model":"m1","finish_reason":"stop"})");
  REQUIRE(reply.content);
  CHECK(*reply.content == "hi");
  CHECK(reply.tool_calls.size() == 1);
  CHECK(reply.prompt_tokens == 3);
  CHECK(reply.completion_tokens == 4);
  CHECK(reply.total_tokens == 7);
  CHECK(reply.model == std::optional<std::string>("m1"));
  CHECK(reply.finish_reason == std::optional<std::string>("stop"));
}

TEST_CASE("provider reply fields of the wrong type count as absent instead of throwing",
          "[agents][provider_reply]") {
  const auto reply = parse_provider_reply(
      R"({"message":{"content":"ok","tool_calls":"nope"},"usage":{"prompt_tokens":-5,
          "completion_tokens":"7","total_tokens":2.5},"model":5,"finish_reason":["x"]})");
  CHECK(*reply.content == "ok");
  CHECK(reply.tool_calls.empty());
  CHECK(reply.prompt_tokens == 0);
  CHECK(reply.completion_tokens == 0);
  CHECK(reply.total_tokens == 0);
  CHECK_FALSE(reply.model);
  CHECK_FALSE(reply.finish_reason);
}

TEST_CASE("an unusable provider reply is refused with the reason", "[agents][provider_reply]") {
  CHECK_THROWS_WITH(parse_provider_reply("{not json"), "returned invalid JSON");
  CHECK_THROWS_WITH(parse_provider_reply("[1]"), "returned invalid JSON");
  CHECK_THROWS_WITH(parse_provider_reply(R"({"message":"hi"})"), "returned no message");
  CHECK_THROWS_WITH(parse_provider_reply(R"({"message":{"content":7}})"),
                    "returned no message content");
}

TEST_CASE("provider deltas: text, tool calls with mistyped fields, and unreadable ones",
          "[agents][provider_reply]") {
  const auto text = parse_provider_delta(R"({"type":"text","text":"ab"})");
  REQUIRE(text);
  CHECK(text->kind == ProviderDelta::Kind::text);
  CHECK(text->text == "ab");

  const auto call = parse_provider_delta(R"({"type":"tool_call","id":9,"name":"f"})");
  REQUIRE(call);
  CHECK(call->kind == ProviderDelta::Kind::tool_call);
  CHECK(call->tool_call["id"] == "");
  CHECK(call->tool_call["name"] == "f");
  CHECK(call->tool_call["arguments"] == "");

  const auto odd = parse_provider_delta(R"({"type":"text","text":1})");
  REQUIRE(odd);
  CHECK(odd->kind == ProviderDelta::Kind::other);
  CHECK_FALSE(parse_provider_delta("garbage"));
}

TEST_CASE("tool result text joins text blocks, describes others and skips mistyped ones",
          "[agents][tool_result_text]") {
  const auto content = nlohmann::json::parse(
      R"([{"type":"text","text":"one"},{"type":7},{"type":"image","mimeType":3},
          {"type":"resource","resource":{"uri":"file:///a"}},{"type":"text","text":["x"]}])");
  CHECK(tool_result_text(content, nullptr) == "one\n[image: unknown type]\n[resource: file:///a]");
  CHECK(tool_result_text(nlohmann::json::array(), {{"n", 1}}) == R"({"n":1})");
}
