// JSON-RPC 2.0 as MCP uses it, and the transport interface the session talks through. A
// transport carries whole messages; the session decides what they mean.
#pragma once

#include <agent_sdk/plugin.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace mcp {

using Clock = std::chrono::steady_clock;

// How long a request may wait, and the plugin call it serves (for cancellation); call may be null.
struct Deadline {
  Clock::time_point at;
  agent_sdk::Call* call = nullptr;

  static Deadline in(std::chrono::milliseconds budget, agent_sdk::Call* call);
  std::chrono::milliseconds remaining() const;
  bool cancelled() const { return call != nullptr && call->cancelled(); }
};

enum class MessageKind { request, notification, response, invalid };
MessageKind classify(const agent_sdk::Json& message);

agent_sdk::Json make_request(std::int64_t id, const std::string& method,
                             const agent_sdk::Json& params);
agent_sdk::Json make_notification(const std::string& method, const agent_sdk::Json& params);
agent_sdk::Json make_result(const agent_sdk::Json& id, const agent_sdk::Json& result);
agent_sdk::Json make_error(const agent_sdk::Json& id, int code, const std::string& message);

// "notifications/cancelled" for request `id`, as both eras define it.
agent_sdk::Json cancelled_notification(std::int64_t id, const std::string& reason);

// The first `max` bytes of `text`, for error messages about what a server sent.
std::string excerpt(const std::string& text, std::size_t max = 120);

// What the server sends unasked (requests such as ping, notifications such as list_changed).
// Returns the response for a request, nothing for a notification.
using InboundHandler = std::function<std::optional<agent_sdk::Json>(const agent_sdk::Json&)>;

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends a request (it has an "id") and returns the server's response message (with "result" or
  // "error"). Throws agent_sdk::Error: AGENT_ERR_TIMEOUT past the deadline and
  // AGENT_ERR_CANCELLED when the call is cancelled (both after telling the server with
  // notifications/cancelled), AGENT_ERR_UNAVAILABLE when the server is down or goes away
  // mid-request, AGENT_ERR_UPSTREAM when it answers something that is not JSON-RPC.
  virtual agent_sdk::Json request(const agent_sdk::Json& request, const Deadline& deadline) = 0;
  // Sends a notification; failures are logged, not thrown (nothing waits for an answer).
  virtual void notify(const agent_sdk::Json& notification, const Deadline& deadline) = 0;
  // Changes whenever the server behind is a new one (a restarted child, a new HTTP session): a
  // handshake-era session must initialize again.
  virtual std::uint64_t generation() const = 0;
  // Handshake era over HTTP: the session id and version to send on later requests.
  virtual void set_protocol_version(const std::string& version) { (void)version; }
  // Forgets an HTTP session (after a 404, or to start over); no-op for stdio.
  virtual void reset_session() {}
  // The handshake is complete (notifications/initialized was sent): the HTTP transport opens its
  // listening stream; no-op for stdio, where the server can always write.
  virtual void on_initialized() {}
  // Stops background work and the server process; requests in flight fail.
  virtual void stop() = 0;
};

}  // namespace mcp
