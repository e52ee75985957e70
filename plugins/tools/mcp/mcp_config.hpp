// The MCP plugin's config (an agent's "tools": [{"id": "mcp", "config": {...}}]), read strictly:
// unknown keys and wrong types are refused with the key named.
#pragma once

#include <agent_sdk/plugin.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mcp {

enum class TransportKind { stdio, http };

// Which protocol era to speak: probe (server/discover, else initialize), or one fixed revision.
enum class ProtocolChoice { automatic, stateless, handshake };

struct StdioConfig {
  std::string command;
  std::vector<std::string> args;
  std::map<std::string, std::string> env;          // set in the child's environment
  std::map<std::string, std::string> env_secrets;  // child variable -> host secret name
  std::string cwd;                                 // "" = the host's working directory
  std::chrono::milliseconds initial_backoff{250};  // restart delays after the child dies
  std::chrono::milliseconds max_backoff{30000};
};

struct HttpConfig {
  std::string url;
  std::map<std::string, std::string> headers;  // extra headers, e.g. an API version
  // header name -> host secret name (e.g. "Authorization" -> "mcp_token"); `bearer_secret` is the
  // common case, sent as "Authorization: Bearer <secret>".
  std::map<std::string, std::string> header_secrets;
  std::string bearer_secret;
};

struct Config {
  TransportKind transport = TransportKind::stdio;
  StdioConfig stdio;
  HttpConfig http;
  ProtocolChoice protocol = ProtocolChoice::automatic;
  // The handshake-era version asked for in initialize (the server may answer an older one).
  std::string handshake_version = "2025-11-25";
  std::chrono::milliseconds timeout{30000};       // one tools/call (capped by the call deadline)
  std::chrono::milliseconds init_timeout{10000};  // probe, handshake and tools/list
  std::chrono::milliseconds ttl{0};               // tools/list cache lifetime; 0 = until changed
  std::string name;                               // for logs and tool sources; default: command/url
};

// Throws agent_sdk::Error(AGENT_ERR_INVALID_INPUT) naming the key.
Config parse_config(const agent_sdk::Json& json);

// Protocol revisions this client speaks.
inline constexpr const char* kStatelessVersion = "2026-07-28";
inline const std::vector<std::string>& handshake_versions() {
  static const std::vector<std::string> versions = {"2025-11-25", "2025-06-18", "2025-03-26"};
  return versions;
}

}  // namespace mcp
