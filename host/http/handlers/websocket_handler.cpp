// GET /agents/{id}/ws: chat over a WebSocket (the original design's real-time channel). Each text
// message is a chat request (the POST /agents/{id}/chat body); the answer streams back as the
// same events as SSE, one JSON text frame each. A bad message gets an "error" event and the
// socket stays open; to continue a conversation, send the conversation_id of a "done" event.
#include <Poco/Buffer.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/WebSocket.h>
#include <spdlog/spdlog.h>

#include <agent_sdk/json_codec.hpp>

#include "http/api_error.h"
#include "http/handlers/agent_lease.h"
#include "http/handlers/chat_events.h"
#include "http/handlers/chat_request.h"
#include "http/handlers/handlers.h"
#include "http/utf8.h"
#include "http/websocket_stream.h"
#include "limits/client_key.h"
#include "limits/json_depth.h"

namespace agent_host::http::handlers {
namespace {

using Poco::Net::WebSocket;

constexpr int kMaxMessageBytes = 256 * 1024;
// A socket with no message for this long is closed (1001, going away), so idle clients cannot
// hold a worker thread forever.
constexpr long kIdleSeconds = 300;

// Accepts the upgrade, or explains in JSON why not (before anything was sent).
std::unique_ptr<WebSocket> accept(RequestContext& context) {
  try {
    return std::make_unique<WebSocket>(context.request(), context.response());
  } catch (const Poco::Net::WebSocketException& e) {
    if (e.code() == WebSocket::WS_ERR_NO_HANDSHAKE) {
      context.response().set("Upgrade", "websocket");
      throw ApiError(426, "upgrade_required",
                     "this route speaks WebSocket: send an Upgrade: websocket handshake");
    }
    throw ApiError(400, "bad_websocket_handshake", "invalid WebSocket handshake: " + e.message());
  }
}

void serve(const ApiServices& services, const agents::Agent& agent, WebSocket& socket,
           const std::string& request_id, int fd,
           const std::optional<security::Principal>& principal, const std::string& account,
           int max_json_depth) {
  WebSocketStream stream(socket);
  Poco::Buffer<char> buffer(0);
  std::uint64_t turn = 0;
  for (;;) {
    int flags = 0;
    buffer.resize(0);
    int n = 0;
    try {
      n = socket.receiveFrame(buffer, flags);
    } catch (const Poco::TimeoutException&) {
      socket.shutdown(WebSocket::WS_ENDPOINT_GOING_AWAY, "idle for too long");
      return;
    } catch (const Poco::Net::WebSocketException& e) {
      // Oversized or malformed frame: say why in the close frame.
      socket.shutdown(e.code() == WebSocket::WS_ERR_PAYLOAD_TOO_BIG ? WebSocket::WS_PAYLOAD_TOO_BIG
                                                                    : WebSocket::WS_PROTOCOL_ERROR,
                      e.message());
      return;
    }
    const int opcode = flags & WebSocket::FRAME_OP_BITMASK;
    if (n == 0 && flags == 0) return;  // the peer closed the TCP connection
    if (opcode == WebSocket::FRAME_OP_CLOSE) {
      socket.shutdown();  // answer the close handshake
      return;
    }
    if (opcode == WebSocket::FRAME_OP_PING) {
      socket.sendFrame(
          buffer.begin(), static_cast<int>(buffer.size()),
          static_cast<int>(WebSocket::FRAME_FLAG_FIN) | static_cast<int>(WebSocket::FRAME_OP_PONG));
      continue;
    }
    if (opcode == WebSocket::FRAME_OP_PONG) continue;

    const std::string turn_id = request_id + "-" + std::to_string(++turn);
    const std::string text(buffer.begin(), buffer.size());
    if (opcode != WebSocket::FRAME_OP_TEXT) {
      send_error_event(stream, 422, "invalid_request", "send chat requests as JSON text frames",
                       turn_id);
      continue;
    }
    agents::ChatRequest request;
    try {
      if (!utf8_length(text)) throw ApiError(400, "invalid_utf8", "the message is not UTF-8");
      if (limits::json_too_deep_at(text, max_json_depth)) {
        throw ApiError(400, "json_too_deep",
                       "the message nests arrays and objects deeper than " +
                           std::to_string(max_json_depth) + " levels");
      }
      const nlohmann::json body = agent_sdk::try_parse_json(text);
      if (body.is_discarded()) throw ApiError(400, "malformed_json", "the message is not JSON");
      request = parse_chat_request(body, principal);
    } catch (const ApiError& e) {
      send_error_event(stream, e.status(), e.code(), e.what(), turn_id);
      continue;
    }
    stream_turn(services, agent, request, turn_id, stream, fd, account);
    if (stream.broken()) return;
  }
}

}  // namespace

void add_websocket_routes(Router& router, const ApiServices& services) {
  router.add("GET", "/agents/{id}/ws", [services](RequestContext& context) {
    const std::string& id = context.path_param("id");
    const auto agent = lease_agent(services, id);  // the lease lasts as long as the socket
    const int fd = context.client_fd();            // before the upgrade detaches the socket
    const auto socket = accept(context);
    context.mark_taken_over();
    socket->setMaxPayloadSize(kMaxMessageBytes);
    socket->setReceiveTimeout(Poco::Timespan(kIdleSeconds, 0));
    try {
      serve(services, *agent, *socket, context.request_id(), fd, context.principal(),
            limits::budget_account(context), context.max_json_depth());
    } catch (const Poco::Exception& e) {
      spdlog::debug("request {}: websocket ended: {}", context.request_id(), e.displayText());
    }
  });
}

}  // namespace agent_host::http::handlers
