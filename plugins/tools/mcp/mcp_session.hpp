// One MCP server as the plugin sees it: which protocol era it speaks (probed once and remembered),
// the handshake when that era needs one, the cached tool list and tool calls.
//
// Protocol eras:
//   handshake (2025-06-18, 2025-11-25; 2025-03-26 accepted): initialize -> result ->
//     notifications/initialized, then requests; redone whenever the transport's generation
//     changes (a restarted child, an expired HTTP session).
//   stateless (2026-07-28): no handshake; every request carries params._meta with
//     "io.modelcontextprotocol/protocolVersion" and "io.modelcontextprotocol/clientCapabilities";
//     server/discover describes the server.
// Probing ("auto"): server/discover first; a result listing 2026-07-28 in supportedVersions means
// stateless; any error (method not found, a missing session, HTTP 400) means the handshake era.
#pragma once

#include <agent_sdk/plugin.hpp>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "mcp/json_rpc.hpp"
#include "mcp/mcp_config.hpp"

namespace mcp {

enum class Era { unknown, handshake, stateless };

class McpSession {
 public:
  McpSession(Config config, agent_sdk::Host host);
  ~McpSession();

  // Builds the transport; the handler it gets answers ping and handles list_changed.
  void attach(std::unique_ptr<Transport> transport);
  InboundHandler inbound_handler();

  // {"tools": [{"name","description","input_schema","title"?,"output_schema"?}]}, cached.
  agent_sdk::Json list_tools(agent_sdk::Call* call);
  // {"content": [...], "structured_content"?, "is_error"}; throws agent_sdk::Error when the
  // server cannot be reached, times out, is cancelled, or answers with a JSON-RPC error.
  agent_sdk::Json call_tool(const std::string& name, const agent_sdk::Json& arguments,
                            agent_sdk::Call* call);

  Era era() const;
  std::string protocol_version() const;
  void stop();

 private:
  agent_sdk::Json rpc(const std::string& method, agent_sdk::Json params, const Deadline& deadline);
  agent_sdk::Json rpc_once(const std::string& method, const agent_sdk::Json& params,
                           const Deadline& deadline);
  void ensure_ready(const Deadline& deadline);
  bool try_stateless(const Deadline& deadline);
  void initialize(const Deadline& deadline);
  agent_sdk::Json fetch_tools(const Deadline& deadline);
  std::optional<agent_sdk::Json> on_inbound(const agent_sdk::Json& message);

  const Config config_;
  const agent_sdk::Host host_;
  std::unique_ptr<Transport> transport_;
  std::atomic<std::int64_t> next_id_{1};

  std::mutex ready_mutex_;  // one handshake at a time
  mutable std::mutex mutex_;
  Era era_ = Era::unknown;
  std::string version_;
  std::uint64_t ready_generation_ = 0;    // the transport generation the handshake was done for
  std::optional<agent_sdk::Json> tools_;  // the cached list
  // Bumped by every tools/list_changed: a list fetched while one arrived is not cached, since
  // it may predate the change.
  std::uint64_t tool_list_changes_ = 0;
  std::uint64_t tools_generation_ = 0;
  Clock::time_point tools_expire_;
};

}  // namespace mcp
