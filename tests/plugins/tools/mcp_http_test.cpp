// The mcp plugin over Streamable HTTP, driven through its C ABI as the host drives it (with the
// host's own HTTP client and call registry), against real MCP servers: server-everything (npm)
// and sdk_server.mjs, a server on the official TypeScript SDK whose /stats shows what it
// received (connections, cancellations, listening streams, DELETEs). Also the server-initiated
// messages over stdio (ping, list_changed), against the same SDK server.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "bundled_plugin_support.hpp"
#include "http_client/call_registry.h"
#include "http_client/http_client.h"
#include "support/mcp_servers.h"
#include "support/test_host.h"

namespace {

using namespace bundled_plugins_test;
using agent_test::mcp_test_server;
using agent_test::McpHttpServer;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A plugin instance on a host with an HTTP client and a call registry (declared first, so they
// outlive the instance).
struct HttpHosted {
  agent_host::plugins::SecretStore secrets;
  agent_host::http_client::HttpClient http{agent_host::http_client::ClientOptions{}};
  agent_host::http_client::CallRegistry calls;
  agent_host::plugins::HostServices services{secrets, &http, &calls};
  std::unique_ptr<PluginInstance> plugin;

  explicit HttpHosted(const json& config)
      : plugin(std::make_unique<PluginInstance>(load_library("tool_mcp"), config, services)) {}
};

json http_config(const McpHttpServer& server, const json& extra = json::object()) {
  json config = {{"transport", "http"}, {"url", server.url()}};
  config.update(extra);
  return config;
}

McpHttpServer sdk_http_server(const std::map<std::string, std::string>& env = {}) {
  return McpHttpServer({mcp_test_server("sdk_server.mjs"), "http"}, env);
}

json stats(const McpHttpServer& server) {
  return agent_test::http_request(server.port(), "GET", "/stats").json;
}

// Polls the server's stats until `ready` holds (bounded: a few seconds).
bool wait_for_stats(const McpHttpServer& server, const std::function<bool(const json&)>& ready) {
  const auto until = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < until) {
    if (ready(stats(server))) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

std::vector<std::string> tool_names(PluginInstance& plugin) {
  std::vector<std::string> names;
  const json listing = call(plugin, "list_tools");
  for (const auto& tool : listing["tools"]) names.push_back(tool["name"]);
  return names;
}

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

json call_tool(PluginInstance& plugin, const std::string& name, const json& arguments) {
  return call(plugin, "call_tool", {{"name", name}, {"arguments", arguments}});
}

std::string first_text(const json& result) { return result["content"][0]["text"]; }

// Starts `name` with a call id, cancels it after `after`, and returns its outcome.
agent_host::plugins::InvokeResult cancel_after(PluginInstance& plugin, const std::string& name,
                                               const json& arguments, milliseconds after) {
  agent_host::plugins::CallOptions options;
  options.call_id = PluginInstance::next_call_id();
  auto running = std::async(std::launch::async, [&] {
    return plugin.invoke("call_tool", json{{"name", name}, {"arguments", arguments}}.dump(),
                         options);
  });
  std::this_thread::sleep_for(after);
  plugin.cancel(options.call_id);
  return running.get();
}

}  // namespace

TEST_CASE("mcp over Streamable HTTP: tools/list is paged through nextCursor in the handshake era") {
  auto server = sdk_http_server();
  HttpHosted hosted(http_config(server));
  const json listing = call(*hosted.plugin, "list_tools");
  CHECK(listing["protocol_version"] == "2025-11-25");
  REQUIRE(listing["tools"].size() == 4);  // two pages of two
  CHECK(listing["tools"][0]["name"] == "echo");
  CHECK(listing["tools"][3]["name"] == "add_tool");
}

TEST_CASE("mcp over Streamable HTTP: sequential calls reuse one kept-alive connection") {
  auto server = sdk_http_server();
  HttpHosted hosted(http_config(server));
  call(*hosted.plugin, "list_tools");
  for (int i = 0; i < 20; ++i) {
    CHECK(first_text(call_tool(*hosted.plugin, "echo", {{"text", std::to_string(i)}})) ==
          "echo: " + std::to_string(i));
  }
  // 25 POSTs (the probe, initialize, initialized, two pages, 20 calls), each answered as an SSE
  // stream, and the listening GET: the POSTs share one connection (two if the GET took the
  // pooled one while a POST was opening another).
  const json after = stats(server);
  INFO(after.dump());
  int posts = 0, carrying_posts = 0;
  for (const auto& requests : after["requests_per_connection"]) {
    const auto n = count(requests.get<std::string>(), "P ");
    posts += static_cast<int>(n);
    carrying_posts += n > 0 ? 1 : 0;
  }
  CHECK(posts == 25);
  CHECK(carrying_posts <= 2);
}

TEST_CASE(
    "mcp over Streamable HTTP: a cancelled call ends at once, the server gets "
    "notifications/cancelled and the session keeps serving") {
  auto server = sdk_http_server();
  HttpHosted hosted(http_config(server));
  call(*hosted.plugin, "list_tools");
  const auto started = Clock::now();
  const auto outcome = cancel_after(*hosted.plugin, "slow", {{"ms", 30000}}, milliseconds(300));
  CHECK(outcome.status == AGENT_ERR_CANCELLED);
  CHECK(Clock::now() - started < std::chrono::seconds(3));
  // The reason is the one our notification carries, not a dropped connection.
  CHECK(wait_for_stats(server, [](const json& s) {
    return s["cancelled"].size() == 1 && s["cancelled"][0]["reason"] == "cancelled by the client";
  }));
  CHECK(first_text(call_tool(*hosted.plugin, "echo", {{"text", "after"}})) == "echo: after");
}

TEST_CASE(
    "mcp over Streamable HTTP: a call past timeout_ms fails as a timeout and the server is told") {
  auto server = sdk_http_server();
  HttpHosted hosted(http_config(server, {{"timeout_ms", 400}}));
  call(*hosted.plugin, "list_tools");
  const auto started = Clock::now();
  const auto outcome = hosted.plugin->invoke(
      "call_tool", json{{"name", "slow"}, {"arguments", {{"ms", 30000}}}}.dump(), {});
  CHECK(outcome.status == AGENT_ERR_TIMEOUT);
  CHECK(Clock::now() - started < std::chrono::seconds(3));
  CHECK(wait_for_stats(server, [](const json& s) {
    return s["cancelled"].size() == 1 && s["cancelled"][0]["reason"] == "timed out";
  }));
  CHECK(first_text(call_tool(*hosted.plugin, "echo", {{"text", "still here"}})) ==
        "echo: still here");
}

TEST_CASE("mcp over Streamable HTTP: server-everything's long-running call is cancelled promptly") {
  McpHttpServer server({agent_test::server_everything_js(), "streamableHttp"});
  HttpHosted hosted(http_config(server));
  call(*hosted.plugin, "list_tools");
  const auto started = Clock::now();
  const auto outcome = cancel_after(*hosted.plugin, "trigger-long-running-operation",
                                    {{"duration", 30}, {"steps", 30}}, milliseconds(300));
  CHECK(outcome.status == AGENT_ERR_CANCELLED);
  CHECK(Clock::now() - started < std::chrono::seconds(3));
  CHECK(first_text(call_tool(*hosted.plugin, "echo", {{"message", "after"}})) == "Echo: after");
}

TEST_CASE("mcp over Streamable HTTP: an expired session (404) is initialized again and retried") {
  auto server = sdk_http_server();
  HttpHosted hosted(http_config(server));
  CHECK(first_text(call_tool(*hosted.plugin, "echo", {{"text", "one"}})) == "echo: one");
  REQUIRE(agent_test::http_request(server.port(), "POST", "/expire").json["expired"] == 1);
  CHECK(first_text(call_tool(*hosted.plugin, "echo", {{"text", "two"}})) == "echo: two");
  CHECK(stats(server)["initializations"] == 2);
}

TEST_CASE(
    "mcp over Streamable HTTP: tools/list_changed on the listening stream refreshes the cached "
    "list") {
  auto server = sdk_http_server();
  HttpHosted hosted(http_config(server));
  CHECK(tool_names(*hosted.plugin).size() == 4);
  REQUIRE(wait_for_stats(server, [](const json& s) { return s["listening"] == 1; }));
  // A change the server does not announce: the cached list stays (ttl_ms 0 = until changed).
  call_tool(*hosted.plugin, "add_tool", {{"name", "quiet"}, {"notify", false}});
  CHECK_FALSE(has(tool_names(*hosted.plugin), "quiet"));
  // An announced one arrives on the GET stream, after the call's own answer: poll briefly.
  call_tool(*hosted.plugin, "add_tool", {{"name", "loud"}, {"notify", true}});
  std::vector<std::string> names;
  for (int i = 0; i < 100 && !has(names, "loud"); ++i) {
    names = tool_names(*hosted.plugin);
    if (!has(names, "loud")) std::this_thread::sleep_for(milliseconds(20));
  }
  CHECK(has(names, "loud"));
  CHECK(has(names, "quiet"));
}

TEST_CASE("mcp over Streamable HTTP: the cached tool list expires after ttl_ms") {
  auto server = sdk_http_server();
  HttpHosted hosted(http_config(server, {{"ttl_ms", 300}}));
  CHECK(tool_names(*hosted.plugin).size() == 4);
  call_tool(*hosted.plugin, "add_tool", {{"name", "late"}, {"notify", false}});
  CHECK_FALSE(has(tool_names(*hosted.plugin), "late"));  // still cached
  std::this_thread::sleep_for(milliseconds(400));
  CHECK(has(tool_names(*hosted.plugin), "late"));
}

TEST_CASE("mcp over Streamable HTTP: the client answers the server's ping on both streams") {
  auto server = sdk_http_server();
  HttpHosted hosted(http_config(server));
  call(*hosted.plugin, "list_tools");
  // On the call's own response stream (a request related to the tools/call).
  CHECK(first_text(call_tool(*hosted.plugin, "ping_client", {{"via", "request"}})) == "pong");
  // On the listening GET stream (unrelated to any request of ours).
  REQUIRE(wait_for_stats(server, [](const json& s) { return s["listening"] == 1; }));
  CHECK(first_text(call_tool(*hosted.plugin, "ping_client", {{"via", "listen"}})) == "pong");
}

TEST_CASE("mcp over Streamable HTTP: a server that answers GET with 405 is not asked again") {
  auto server = sdk_http_server({{"NO_LISTEN", "1"}});
  HttpHosted hosted(http_config(server));
  call(*hosted.plugin, "list_tools");
  REQUIRE(wait_for_stats(server, [](const json& s) { return s["gets"] == 1; }));
  for (int i = 0; i < 3; ++i) call_tool(*hosted.plugin, "echo", {{"text", "x"}});
  std::this_thread::sleep_for(milliseconds(300));  // a retry would come within its backoff
  CHECK(stats(server)["gets"] == 1);
  CHECK(first_text(call_tool(*hosted.plugin, "echo", {{"text", "fine"}})) == "echo: fine");
}

TEST_CASE("mcp over Streamable HTTP: stopping the plugin ends its session and listening stream") {
  auto server = sdk_http_server();
  auto hosted = std::make_unique<HttpHosted>(http_config(server));
  call(*hosted->plugin, "list_tools");
  REQUIRE(wait_for_stats(server, [](const json& s) { return s["listening"] == 1; }));
  const auto started = Clock::now();
  hosted.reset();
  CHECK(Clock::now() - started < std::chrono::seconds(2));
  const json after = stats(server);
  CHECK(after["deletes"] == 1);
  CHECK(wait_for_stats(server, [](const json& s) { return s["listening"] == 0; }));
}

TEST_CASE("mcp over stdio: the client answers the server's ping") {
  auto plugin = instantiate("tool_mcp", agent_test::mcp_stdio({mcp_test_server("sdk_server.mjs")}));
  CHECK(first_text(call_tool(*plugin, "ping_client", json::object())) == "pong");
}

TEST_CASE("mcp over stdio: tools/list_changed refreshes the cached list") {
  auto plugin = instantiate("tool_mcp", agent_test::mcp_stdio({mcp_test_server("sdk_server.mjs")}));
  CHECK(tool_names(*plugin).size() == 4);
  call_tool(*plugin, "add_tool", {{"name", "quiet"}, {"notify", false}});
  CHECK_FALSE(has(tool_names(*plugin), "quiet"));
  // Over stdio the notification is written before the call's answer, so it is seen first.
  call_tool(*plugin, "add_tool", {{"name", "loud"}, {"notify", true}});
  const auto names = tool_names(*plugin);
  CHECK(has(names, "loud"));
  CHECK(has(names, "quiet"));
}
