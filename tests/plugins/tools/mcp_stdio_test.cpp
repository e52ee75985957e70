// The mcp plugin below the agent, driven through its C ABI exactly as the host drives it, against
// real MCP servers over stdio: the reference server-everything (npm) and our own small servers
// for the stateless revision and for broken servers.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "bundled_plugin_support.hpp"
#include "support/mcp_servers.h"

namespace {

using namespace bundled_plugins_test;
using agent_test::everything_stdio;
using agent_test::mcp_stdio;
using agent_test::mcp_test_server;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

json tool_named(const json& listing, const std::string& name) {
  for (const auto& tool : listing["tools"]) {
    if (tool["name"] == name) return tool;
  }
  return nullptr;
}

agent_host::plugins::InvokeResult call_tool(PluginInstance& plugin, const std::string& name,
                                            const json& arguments, std::uint64_t call_id = 0) {
  agent_host::plugins::CallOptions options;
  options.call_id = call_id;
  return plugin.invoke("call_tool", json{{"name", name}, {"arguments", arguments}}.dump(), options);
}

}  // namespace

TEST_CASE("mcp over stdio: lists server-everything's tools with schemas after the handshake") {
  auto plugin = instantiate("tool_mcp", everything_stdio());
  const json listing = call(*plugin, "list_tools");
  CHECK(listing["protocol_version"] == "2025-11-25");
  const json echo = tool_named(listing, "echo");
  REQUIRE(echo.is_object());
  CHECK(echo["description"] == "Echoes back the input string");
  CHECK(echo["input_schema"]["properties"].contains("message"));
  CHECK(tool_named(listing, "get-sum").is_object());
  CHECK(tool_named(listing, "get-structured-content")["output_schema"].is_object());
  // A second listing comes from the cache: the same tools.
  CHECK(call(*plugin, "list_tools")["tools"] == listing["tools"]);
}

TEST_CASE("mcp over stdio: calls tools, with text, structured output and tool errors mapped") {
  auto plugin = instantiate("tool_mcp", everything_stdio());
  const json echo =
      call(*plugin, "call_tool", {{"name", "echo"}, {"arguments", {{"message", "hi there"}}}});
  CHECK(echo["is_error"] == false);
  CHECK(echo["content"][0]["text"] == "Echo: hi there");

  const json sum =
      call(*plugin, "call_tool", {{"name", "get-sum"}, {"arguments", {{"a", 2}, {"b", 3}}}});
  CHECK(sum["content"][0]["text"].get<std::string>().find('5') != std::string::npos);

  const json weather =
      call(*plugin, "call_tool",
           {{"name", "get-structured-content"}, {"arguments", {{"location", "Chicago"}}}});
  CHECK(weather["structured_content"]["temperature"] == 36);
  CHECK(weather["structured_content"]["conditions"] == "Light rain / drizzle");

  // Arguments the tool's schema refuses, and an unknown tool: the server reports tool errors
  // (isError), results the model can read, not failed calls.
  const json bad = call(*plugin, "call_tool", {{"name", "get-sum"}, {"arguments", {{"a", "x"}}}});
  CHECK(bad["is_error"] == true);
  CHECK(bad["content"][0]["text"].get<std::string>().find("Input validation error") !=
        std::string::npos);
  const json unknown =
      call(*plugin, "call_tool", {{"name", "no-such-tool"}, {"arguments", json::object()}});
  CHECK(unknown["is_error"] == true);
  CHECK(unknown["content"][0]["text"] == "MCP error -32602: Tool no-such-tool not found");
}

TEST_CASE("mcp over stdio: a long-running call is cancelled promptly and the server stays usable") {
  auto plugin = instantiate("tool_mcp", everything_stdio());
  call(*plugin, "list_tools");
  const std::uint64_t id = PluginInstance::next_call_id();
  const auto started = Clock::now();
  auto running = std::async(std::launch::async, [&] {
    return call_tool(*plugin, "trigger-long-running-operation", {{"duration", 30}, {"steps", 30}},
                     id);
  });
  std::this_thread::sleep_for(milliseconds(300));
  plugin->cancel(id);
  const auto outcome = running.get();
  CHECK(outcome.status == AGENT_ERR_CANCELLED);
  CHECK(Clock::now() - started < std::chrono::seconds(5));
  CHECK(call(*plugin, "call_tool",
             {{"name", "echo"}, {"arguments", {{"message", "after"}}}})["content"][0]["text"] ==
        "Echo: after");
}

TEST_CASE("mcp over stdio: a server killed mid-call fails that call clearly and is restarted") {
  auto plugin =
      instantiate("tool_mcp", everything_stdio({{"restart", {{"initial_backoff_ms", 50}}}}));
  call(*plugin, "list_tools");
  const auto children = agent_test::own_children("server-everything");
  REQUIRE(children.size() == 1);
  auto running = std::async(std::launch::async, [&] {
    return call_tool(*plugin, "trigger-long-running-operation", {{"duration", 30}, {"steps", 30}});
  });
  std::this_thread::sleep_for(milliseconds(300));
  const auto killed_at = Clock::now();
  ::kill(children[0], SIGKILL);
  const auto outcome = running.get();
  CHECK(outcome.status == AGENT_ERR_UNAVAILABLE);
  CHECK(outcome.error.find("killed by signal 9") != std::string::npos);
  CHECK(Clock::now() - killed_at < std::chrono::seconds(3));
  // The supervisor starts it again; the next call handshakes with the new process.
  json echo;
  for (int attempt = 0; attempt < 50 && !echo.is_object(); ++attempt) {
    const auto again = call_tool(*plugin, "echo", {{"message", "back"}});
    if (again.ok())
      echo = json::parse(again.result);
    else
      std::this_thread::sleep_for(milliseconds(100));
  }
  REQUIRE(echo.is_object());
  CHECK(echo["content"][0]["text"] == "Echo: back");
}

TEST_CASE("mcp over stdio: a server that never answers times out with a clear error") {
  auto plugin = instantiate("tool_mcp", mcp_stdio({mcp_test_server("silent.mjs")},
                                                  {{"init_timeout_ms", 400}, {"timeout_ms", 400}}));
  const auto started = Clock::now();
  agent_host::plugins::CallOptions options;
  const auto outcome = plugin->invoke("list_tools", "{}", options);
  CHECK(outcome.status == AGENT_ERR_TIMEOUT);
  CHECK(outcome.error.find("did not answer") != std::string::npos);
  CHECK(Clock::now() - started < std::chrono::seconds(3));
}

TEST_CASE(
    "mcp over stdio: a server that prints garbage fails the call at once, naming what it sent") {
  auto plugin = instantiate(
      "tool_mcp", mcp_stdio({mcp_test_server("garbage.mjs")}, {{"init_timeout_ms", 5000}}));
  const auto started = Clock::now();
  const auto outcome = plugin->invoke("list_tools", "{}", {});
  CHECK(outcome.status == AGENT_ERR_UPSTREAM);
  CHECK(outcome.error.find("malformed message: this is not JSON") != std::string::npos);
  CHECK(Clock::now() - started < std::chrono::seconds(3));
}

TEST_CASE("mcp over stdio: a command that cannot start is a clear, quick error") {
  auto plugin =
      instantiate("tool_mcp", {{"command", "/nonexistent/mcp-server"}, {"init_timeout_ms", 2000}});
  const auto started = Clock::now();
  const auto outcome = plugin->invoke("list_tools", "{}", {});
  CHECK_FALSE(outcome.ok());
  CHECK(outcome.error.find("cannot start '/nonexistent/mcp-server'") != std::string::npos);
  CHECK(Clock::now() - started < std::chrono::seconds(3));
}

TEST_CASE("mcp over stdio: a stateless 2026-07-28 server is probed, paged through and called") {
  auto plugin =
      instantiate("tool_mcp", mcp_stdio({mcp_test_server("stateless_server.mjs"), "stdio"}));
  const json listing = call(*plugin, "list_tools");
  CHECK(listing["protocol_version"] == "2026-07-28");
  REQUIRE(listing["tools"].size() == 5);  // three pages of two
  CHECK(listing["tools"][4]["name"] == "epsilon");
  CHECK(call(*plugin, "call_tool",
             {{"name", "beta"}, {"arguments", {{"text", "x"}}}})["content"][0]["text"] ==
        "beta: x");
}

TEST_CASE("mcp over stdio: a handshake-only choice refuses a stateless-only server clearly") {
  auto plugin = instantiate(
      "tool_mcp",
      mcp_stdio({mcp_test_server("stateless_server.mjs"), "stdio"}, {{"protocol", "handshake"}}));
  const auto outcome = plugin->invoke("list_tools", "{}", {});
  CHECK_FALSE(outcome.ok());
  CHECK(outcome.error.find("refused initialize") != std::string::npos);
}

TEST_CASE("mcp config: unknown keys, a missing command and mixed transports are refused") {
  CHECK(create_error("tool_mcp", {{"command", "node"}, {"comand", "x"}})
            .find("unknown key \"comand\"") != std::string::npos);
  CHECK(create_error("tool_mcp", json::object()).find("\"command\" is required") !=
        std::string::npos);
  CHECK(create_error("tool_mcp", {{"command", "node"}, {"url", "http://x"}})
            .find("\"url\" belongs to the http transport") != std::string::npos);
  CHECK(create_error("tool_mcp", {{"transport", "http"}, {"url", "ftp://x"}})
            .find("\"url\" must be an http") != std::string::npos);
  CHECK(create_error("tool_mcp", {{"command", "node"}, {"env_secrets", {{"TOKEN", "missing"}}}})
            .find("no secret \"missing\"") != std::string::npos);
}
