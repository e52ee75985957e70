// The Streamable HTTP transport: every message is a POST to one endpoint with
// "Accept: application/json, text/event-stream"; a request is answered with a JSON body or an SSE
// stream carrying the response (possibly after server requests and notifications). The handshake
// era adds "Mcp-Session-Id" (issued by initialize, echoed afterwards; a 404 means it expired) and
// "MCP-Protocol-Version" on every request after initialize. Requests go through the host's HTTP
// client, so cancelling the plugin call aborts them.
#pragma once

#include <agent_sdk/http.hpp>
#include <map>
#include <mutex>
#include <string>

#include "mcp/json_rpc.hpp"
#include "mcp/mcp_config.hpp"

namespace mcp {

// A 404 on a request that carried a session id: the session expired; initialize again.
class SessionExpired : public agent_sdk::Error {
 public:
  SessionExpired() : Error(AGENT_ERR_UNAVAILABLE, "the MCP session expired", true) {}
};

class HttpTransport : public Transport {
 public:
  // `headers` are sent with every request (custom ones and those built from secrets).
  HttpTransport(std::string url, agent_sdk::HttpHeaders headers, agent_sdk::Host host,
                std::string name, InboundHandler inbound);

  agent_sdk::Json request(const agent_sdk::Json& request, const Deadline& deadline) override;
  void notify(const agent_sdk::Json& notification, const Deadline& deadline) override;
  std::uint64_t generation() const override;
  void set_protocol_version(const std::string& version) override;
  void reset_session() override;
  void stop() override;

 private:
  agent_sdk::HttpRequest build(const agent_sdk::Json& message, const Deadline& deadline) const;

  const std::string url_;
  const agent_sdk::HttpHeaders headers_;
  const agent_sdk::Host host_;
  const agent_sdk::HttpClient http_;
  const std::string name_;
  const InboundHandler inbound_;

  mutable std::mutex mutex_;
  std::string session_id_;
  std::string protocol_version_;
  std::uint64_t generation_ = 1;
  bool stopped_ = false;
};

}  // namespace mcp
