// The tool loop end to end: an in-process host whose agent has the openai provider pointed at the
// fake upstream (scripted by [[tool:...]] directives to ask for tool calls) and the mcp plugin on
// a real MCP server; the host runs the tool, feeds its result back, and the fake's second answer
// ("Tool said: <result>") proves the result reached the model.
#include <catch2/catch.hpp>

#include "providers/upstream_harness.hpp"
#include "support/mcp_servers.h"

using namespace upstream_test;

namespace {

json mcp_agent(const std::string& id, const FakeUpstream& fake, const json& tools,
               const json& extra = json::object()) {
  json agent = upstream_agent(id, openai_provider(fake));
  // One source may be given alone ({x} of one json object is that object, not an array).
  agent["tools"] = tools.is_array() ? tools : json::array({tools});
  agent.update(extra);
  return agent;
}

json everything_tool(const json& extra = json::object()) {
  return {{"id", "mcp"}, {"config", agent_test::everything_stdio(extra)}};
}

const json* message_of_role(const json& messages, const std::string& role, int nth = 0) {
  for (const auto& message : messages) {
    if (message["role"] == role && nth-- == 0) return &message;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("tool loop: the host runs the tool the model asks for and the answer holds its result") {
  FakeUpstream fake;
  TestHost host(with_secrets(fake.api_key()), {mcp_agent("tl", fake, {everything_tool()})});
  const auto turn = chat(host, "tl", R"([[tool:echo:{"message":"pineapple"}]] echo it)");
  INFO(turn.result.body);
  REQUIRE(turn.result.status == 200);
  CHECK(turn.result.json["response"] == "Tool said: Echo: pineapple (checked)");
  CHECK(turn.result.json["finish_reason"] == "stop");
  // Two provider calls; the second carried the declared tools, the call and its result.
  const json requests = fake.requests(2);
  REQUIRE(requests.size() == 2);
  bool declared = false;
  for (const auto& tool : requests[0]["body"]["tools"])
    declared |= tool["function"]["name"] == "echo";
  CHECK(declared);
  const json& second = requests[1]["body"]["messages"];
  const json* result = message_of_role(second, "tool");
  REQUIRE(result != nullptr);
  CHECK((*result)["content"] == "Echo: pineapple");

  // Stored: user, the assistant's tool call, the tool's result, the final answer.
  const std::string id = turn.result.json["conversation_id"];
  const auto stored = agent_test::http_request(host.port(), "GET", "/conversations/" + id);
  const json& messages = stored.json["messages"];
  REQUIRE(messages.size() == 4);
  CHECK(messages[0]["role"] == "user");
  CHECK(messages[1]["role"] == "assistant");
  CHECK(messages[1]["tool_calls"][0]["name"] == "echo");
  CHECK(messages[2]["role"] == "tool");
  CHECK(messages[2]["tool_call_id"] == messages[1]["tool_calls"][0]["id"]);
  CHECK(messages[2]["content"] == "Echo: pineapple");
  CHECK(messages[3]["content"] == "Tool said: Echo: pineapple (checked)");

  // The next turn's history carries the tool exchange in the provider's format.
  const auto next = agent_test::post_json(
      host.port(), "/agents/tl/chat",
      {{"user_id", "user-1"}, {"message", "thanks"}, {"conversation_id", id}});
  REQUIRE(next.status == 200);
  const json history = fake.requests(1)[0]["body"]["messages"];
  CHECK(message_of_role(history, "tool") != nullptr);
}

TEST_CASE("tool loop: a streamed turn sends tool_call and tool_result events, then the answer") {
  FakeUpstream fake;
  TestHost host(with_secrets(fake.api_key()), {mcp_agent("tl", fake, {everything_tool()})});
  const auto stream = stream_chat(host, "tl", R"([[tool:get-sum:{"a":2,"b":40}]] add)");
  REQUIRE(stream.status == 200);
  const auto calls = agent_test::events_named(stream, "tool_call");
  const auto results = agent_test::events_named(stream, "tool_result");
  REQUIRE(calls.size() == 1);
  REQUIRE(results.size() == 1);
  CHECK(calls[0].json["name"] == "get-sum");
  CHECK(results[0].json["id"] == calls[0].json["id"]);
  CHECK(results[0].json["is_error"] == false);
  CHECK(results[0].json["content"].get<std::string>().find("42") != std::string::npos);
  const auto done = agent_test::events_named(stream, "done");
  REQUIRE(done.size() == 1);
  CHECK(streamed_text(stream) == done[0].json["response"]);
  CHECK(done[0].json["response"].get<std::string>().find("42") != std::string::npos);
}

TEST_CASE(
    "tool loop: parallel calls all run, an unknown or failing tool is a result, not an error") {
  FakeUpstream fake;
  TestHost host(with_secrets(fake.api_key()), {mcp_agent("tl", fake, {everything_tool()})});
  const auto turn =
      chat(host, "tl", R"([[tool:echo:{"message":"one"}]][[tool:no-such-tool]] both)");
  INFO(turn.result.body);
  REQUIRE(turn.result.status == 200);
  const json second = fake.requests(1)[0]["body"]["messages"];
  const json* first_result = message_of_role(second, "tool", 0);
  const json* second_result = message_of_role(second, "tool", 1);
  REQUIRE(first_result != nullptr);
  REQUIRE(second_result != nullptr);
  CHECK((*first_result)["content"] == "Echo: one");
  CHECK((*second_result)["content"].get<std::string>().find("no tool named \"no-such-tool\"") !=
        std::string::npos);
}

TEST_CASE("tool loop: a tool source that cannot start leaves the turn working, without tools") {
  FakeUpstream fake;
  TestHost host(
      with_secrets(fake.api_key()),
      {mcp_agent("tl", fake,
                 {{{"id", "mcp"},
                   {"config", {{"command", "/nonexistent/server"}, {"init_timeout_ms", 500}}}}})});
  const auto turn = chat(host, "tl", "hello");
  INFO(turn.result.body);
  CHECK(turn.result.status == 200);
  CHECK(turn.result.json["response"] == "Echo: hello (checked)");
  const auto tools = agent_test::http_request(host.port(), "GET", "/agents/tl/tools");
  CHECK(tools.status == 200);
  CHECK(tools.json["tools"].empty());
  CHECK(tools.json["unavailable"][0]["error"].get<std::string>().find("cannot start") !=
        std::string::npos);
}

TEST_CASE("GET /agents/{id}/tools lists the tools with schema and source, after the allow-list") {
  FakeUpstream fake;
  TestHost host(with_secrets(fake.api_key()),
                {mcp_agent("tl", fake, {everything_tool()},
                           {{"allowed_tools", {"echo", "get-sum"}}, {"max_tool_steps", 3}})});
  const auto tools = agent_test::http_request(host.port(), "GET", "/agents/tl/tools");
  REQUIRE(tools.status == 200);
  REQUIRE(tools.json["tools"].size() == 2);
  CHECK(tools.json["tools"][0]["name"] == "echo");
  CHECK(tools.json["tools"][0]["source"] == json{{"plugin", "mcp"}, {"index", 0}});
  CHECK(tools.json["tools"][0]["input_schema"]["type"] == "object");
  CHECK(agent_test::http_request(host.port(), "GET", "/agents/nobody/tools").status == 404);
  // A tool outside the allow-list is not offered, and asking for it anyway is a tool error.
  const auto turn =
      chat(host, "tl", R"([[tool:get-structured-content:{"location":"Chicago"}]] go)");
  REQUIRE(turn.result.status == 200);
  CHECK(turn.result.json["response"].get<std::string>().find("no tool named") != std::string::npos);
  const json declared = fake.requests(2)[0]["body"]["tools"];
  CHECK(declared.size() == 2);
}

TEST_CASE("tool loop: at the step limit the provider is called without tools and must answer") {
  FakeUpstream fake;
  TestHost host(with_secrets(fake.api_key()),
                {mcp_agent("tl", fake, {everything_tool()}, {{"max_tool_steps", 1}})});
  const auto turn = chat(host, "tl", R"([[tool:echo:{"message":"x"}]] go)");
  REQUIRE(turn.result.status == 200);
  const json requests = fake.requests(2);
  CHECK(requests[0]["body"].contains("tools"));
  CHECK_FALSE(requests[1]["body"].contains("tools"));
}

TEST_CASE("tool loop over Streamable HTTP: server-everything's tools through the host") {
  agent_test::McpHttpServer server({agent_test::server_everything_js(), "streamableHttp"});
  FakeUpstream fake;
  TestHost host(
      with_secrets(fake.api_key()),
      {mcp_agent("th", fake,
                 {{{"id", "mcp"}, {"config", {{"transport", "http"}, {"url", server.url()}}}}})});
  const auto tools = agent_test::http_request(host.port(), "GET", "/agents/th/tools");
  REQUIRE(tools.status == 200);
  bool has_echo = false;
  for (const auto& tool : tools.json["tools"]) has_echo |= tool["name"] == "echo";
  CHECK(has_echo);
  const auto turn = chat(host, "th", R"([[tool:echo:{"message":"over http"}]] go)");
  INFO(turn.result.body);
  REQUIRE(turn.result.status == 200);
  CHECK(turn.result.json["response"] == "Tool said: Echo: over http (checked)");
  const auto weather =
      chat(host, "th", R"([[tool:get-structured-content:{"location":"New York"}]] go)");
  CHECK(weather.result.json["response"].get<std::string>().find("33") != std::string::npos);
}

TEST_CASE("tool loop over Streamable HTTP: a stateless 2026-07-28 server is probed and paged") {
  agent_test::McpHttpServer server({agent_test::mcp_test_server("stateless_server.mjs"), "http"});
  FakeUpstream fake;
  TestHost host(
      with_secrets(fake.api_key()),
      {mcp_agent("ts", fake,
                 {{{"id", "mcp"}, {"config", {{"transport", "http"}, {"url", server.url()}}}}})});
  const auto tools = agent_test::http_request(host.port(), "GET", "/agents/ts/tools");
  REQUIRE(tools.status == 200);
  CHECK(tools.json["tools"].size() == 5);
  const auto turn = chat(host, "ts", R"([[tool:gamma:{"text":"hey"}]] go)");
  REQUIRE(turn.result.status == 200);
  CHECK(turn.result.json["response"] == "Tool said: gamma: hey (checked)");
}
