// Events as WebSocket text frames: {"id": n, "event": name, "data": {...}} — the same events
// and payloads as the Server-Sent Events of a streamed chat.
#pragma once

#include <Poco/Net/WebSocket.h>

#include <cstdint>

#include "http/event_stream.h"
#include "observability/host_metrics.h"

namespace agent_host::http {

class WebSocketStream : public EventStream {
 public:
  explicit WebSocketStream(Poco::Net::WebSocket& socket) : socket_(socket) {}
  bool send(std::string_view event, const nlohmann::json& data) override;
  bool broken() const noexcept { return broken_; }

 private:
  Poco::Net::WebSocket& socket_;
  std::uint64_t next_id_ = 1;
  bool broken_ = false;
  // Counted in agent_host_streams_in_flight while the stream is open.
  observability::GaugeGuard in_flight_{observability::host_metrics().streams_in_flight};
};

}  // namespace agent_host::http
