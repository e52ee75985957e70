// The Streamable HTTP transport: every message is a POST to one endpoint with
// "Accept: application/json, text/event-stream"; a request is answered with a JSON body or an SSE
// stream carrying the response (possibly after server requests and notifications). The handshake
// era adds "Mcp-Session-Id" (issued by initialize, echoed afterwards; a 404 means it expired) and
// "MCP-Protocol-Version" on every request after initialize. Requests go through the host's HTTP
// client, so cancelling the plugin call aborts them.
//
// The listening stream: once a handshake-era session is initialized, one background thread keeps
// the optional GET stream (Accept: text/event-stream) open, so the server's own notifications
// (tools/list_changed) and requests (ping) arrive between calls; answers to its requests are
// POSTed. A 405 means the server offers none, remembered for that session. The host's HTTP client
// cannot abort a request that serves no plugin call, so the stream is bounded instead: it is
// reopened every kListenWindow (with Last-Event-ID, for servers that replay), with backoff after
// failures, and stop() first DELETEs the session (as the spec asks of a client that is done),
// which makes a server end the stream at once.
#pragma once

#include <agent_sdk/http.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

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
  ~HttpTransport() override;

  agent_sdk::Json request(const agent_sdk::Json& request, const Deadline& deadline) override;
  void notify(const agent_sdk::Json& notification, const Deadline& deadline) override;
  std::uint64_t generation() const override;
  void set_protocol_version(const std::string& version) override;
  void reset_session() override;
  void on_initialized() override;
  void stop() override;

 private:
  enum class ListenEnd { ended, refused, failed };

  agent_sdk::HttpRequest build(const agent_sdk::Json& message, const Deadline& deadline) const;
  // The server's request or notification that arrived on any stream; requests are answered.
  void handle_inbound(const agent_sdk::Json& message, MessageKind kind);
  void listen_loop();
  ListenEnd listen_once(const std::string& session, const std::string& version);
  void end_session();

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

  std::condition_variable listen_changed_;      // stopped_ / a session to listen on
  bool listen_wanted_ = false;                  // the session is initialized
  std::optional<std::string> refused_session_;  // the session whose GET was refused (405, 404)
  std::string last_event_id_;                   // for resuming the stream of the same session
  std::thread listener_;
};

}  // namespace mcp
