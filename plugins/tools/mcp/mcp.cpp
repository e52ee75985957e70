// The "mcp" tool source: tools of one Model Context Protocol server, over stdio (a supervised
// child process) or Streamable HTTP (through the host's HTTP client). See mcp_session.hpp for the
// protocol eras and the README's "MCP tools" section for the config.
#include <agent_sdk/json_codec.hpp>
#include <agent_sdk/plugin.hpp>
#include <cstdlib>

#include "mcp/http_transport.hpp"
#include "mcp/mcp_config.hpp"
#include "mcp/mcp_session.hpp"
#include "mcp/stdio_transport.hpp"

namespace {

using agent_sdk::Error;
using agent_sdk::Json;

// What a stdio server inherits from the host: the variables the official MCP SDKs pass on by
// default (so `node`, `npx` or `uvx` work), never the rest of the host's environment, which holds
// API keys. Secrets reach a server only when its config names them (env_secrets).
std::map<std::string, std::string> child_environment(const mcp::StdioConfig& config,
                                                     const agent_sdk::Host& host) {
  std::map<std::string, std::string> env;
  for (const char* name : {"PATH", "HOME", "LOGNAME", "USER", "SHELL", "TERM", "LANG", "TMPDIR"}) {
    if (const char* value = std::getenv(name)) env[name] = value;
  }
  for (const auto& [name, value] : config.env) env[name] = value;
  for (const auto& [name, secret] : config.env_secrets) {
    const auto value = host.secret(secret);
    if (!value) {
      throw Error(AGENT_ERR_INVALID_INPUT,
                  "mcp config: env_secrets: the host has no secret \"" + secret + "\"");
    }
    env[name] = *value;
  }
  return env;
}

agent_sdk::HttpHeaders http_headers(const mcp::HttpConfig& config, const agent_sdk::Host& host) {
  agent_sdk::HttpHeaders headers(config.headers.begin(), config.headers.end());
  const auto secret = [&](const std::string& name) {
    const auto value = host.secret(name);
    if (!value) {
      throw Error(AGENT_ERR_INVALID_INPUT, "mcp config: the host has no secret \"" + name + "\"");
    }
    return *value;
  };
  for (const auto& [header, name] : config.header_secrets)
    headers.emplace_back(header, secret(name));
  if (!config.bearer_secret.empty()) {
    headers.emplace_back("Authorization", "Bearer " + secret(config.bearer_secret));
  }
  return headers;
}

class McpToolSource : public agent_sdk::ToolSource {
 public:
  static constexpr uint32_t kFlags = AGENT_PLUGIN_FLAG_THREAD_SAFE;

  McpToolSource(agent_sdk::Host host, const Json& json)
      : ToolSource(host), session_(mcp::parse_config(json), host) {
    const mcp::Config config = mcp::parse_config(json);
    if (config.transport == mcp::TransportKind::stdio) {
      session_.attach(
          std::make_unique<mcp::StdioTransport>(config.stdio, child_environment(config.stdio, host),
                                                host, config.name, session_.inbound_handler()));
    } else {
      session_.attach(
          std::make_unique<mcp::HttpTransport>(config.http.url, http_headers(config.http, host),
                                               host, config.name, session_.inbound_handler()));
    }
  }

  Json list_tools(agent_sdk::Call& call) override {
    Json tools = session_.list_tools(&call);
    tools["protocol_version"] = session_.protocol_version();
    return tools;
  }

  Json call_tool(const Json& input, agent_sdk::Call& call) override {
    if (!input.contains("name") || !input["name"].is_string()) {
      throw Error(AGENT_ERR_INVALID_INPUT, "call_tool needs a \"name\" string");
    }
    Json arguments = input.value("arguments", Json::object());
    if (arguments.is_string()) {  // the providers' JSON text form
      arguments = agent_sdk::try_parse_json(arguments.get<std::string>());
    }
    if (!arguments.is_object()) {
      throw Error(AGENT_ERR_INVALID_INPUT, "call_tool \"arguments\" must be a JSON object");
    }
    return session_.call_tool(input["name"].get<std::string>(), arguments, &call);
  }

  void quiesce() override { session_.stop(); }

 private:
  mcp::McpSession session_;
};

}  // namespace

AGENT_SDK_EXPORT_PLUGIN(
    McpToolSource, "mcp", "1.0.0",
    R"json({"description": "Tools of a Model Context Protocol server over stdio or Streamable HTTP (protocol 2025-06-18, 2025-11-25 and the stateless 2026-07-28)", "capabilities": ["stdio", "streamable_http", "list_changed", "cancellation"]})json")
