// One MCP tool round-trip through the host's plugin path: tool_mcp.so loaded and called exactly as
// the host calls it (PluginInstance, the C ABI, the host's HTTP client for Streamable HTTP).
//   mcp_tool_latency <plugin_dir> <calls> stdio <server.js>
//   mcp_tool_latency <plugin_dir> <calls> http <url>
// Calls server-everything's "echo" <calls> times after 50 warm-up calls; prints one JSON line
// {"client","transport","calls","mean_us","p50_us","p99_us"}. bench/mcp_tool_latency.sh runs it
// beside the official SDK client (bench/mcp_direct_client.mjs) on the same server.
// MCP_BENCH_NO_REUSE=1 turns the HTTP client's keep-alive pool off (a new connection per request),
// to show what connection reuse is worth.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http_client/call_registry.h"
#include "http_client/http_client.h"
#include "plugins/host_services.h"
#include "plugins/plugin_instance.h"
#include "plugins/plugin_loader.h"

int main(int argc, char** argv) {
  using namespace agent_host;
  // As in the host's main: a server that hangs up must fail a write, not kill the program.
  std::signal(SIGPIPE, SIG_IGN);
  if (argc != 5) {
    std::cerr << "usage: mcp_tool_latency <plugin_dir> <calls> stdio <server.js> | http <url>\n";
    return 2;
  }
  const std::string dir = argv[1];
  const int calls = std::stoi(argv[2]);
  const std::string transport = argv[3];
  nlohmann::json config = transport == "stdio"
                              ? nlohmann::json{{"command", "node"}, {"args", {argv[4], "stdio"}}}
                              : nlohmann::json{{"transport", "http"}, {"url", argv[4]}};
  auto loaded = plugins::load_plugin(dir + "/tool_mcp.so");
  if (!loaded.plugin) {
    std::cerr << "cannot load tool_mcp.so: " << loaded.refusal->reason << "\n";
    return 1;
  }
  const plugins::SecretStore secrets;
  http_client::ClientOptions options;
  const char* no_reuse = std::getenv("MCP_BENCH_NO_REUSE");
  const bool reuse = no_reuse == nullptr || std::string(no_reuse) != "1";
  if (!reuse) options.max_idle_per_origin = 0;
  http_client::HttpClient http{options};
  http_client::CallRegistry registry;
  const plugins::HostServices services{secrets, &http, &registry};
  plugins::PluginInstance tool(loaded.plugin, config, services);

  const std::string input = R"({"name":"echo","arguments":{"message":"benchmark"}})";
  std::vector<double> micros;
  micros.reserve(static_cast<std::size_t>(calls));
  for (int i = -50; i < calls; ++i) {
    plugins::CallOptions options;
    options.call_id = plugins::PluginInstance::next_call_id();
    const auto start = std::chrono::steady_clock::now();
    const auto result = tool.invoke("call_tool", input, options);
    const auto end = std::chrono::steady_clock::now();
    if (!result.ok()) {
      std::cerr << "call failed: " << result.error << "\n";
      return 1;
    }
    if (i >= 0) micros.push_back(std::chrono::duration<double, std::micro>(end - start).count());
  }
  std::sort(micros.begin(), micros.end());
  double sum = 0;
  for (const double m : micros) sum += m;
  const auto at = [&](double q) {
    return micros[static_cast<std::size_t>(q * (micros.size() - 1))];
  };
  std::cout << nlohmann::json{{"client", reuse ? "host plugin (tool_mcp.so)"
                                               : "host plugin (tool_mcp.so), no connection reuse"},
                              {"transport", transport},
                              {"calls", calls},
                              {"mean_us", static_cast<long>(sum / micros.size())},
                              {"p50_us", static_cast<long>(at(0.5))},
                              {"p99_us", static_cast<long>(at(0.99))}}
                   .dump()
            << std::endl;
  tool.quiesce();
  return 0;
}
