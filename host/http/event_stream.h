// A one-way stream of named JSON events to a client: Server-Sent Events over HTTP, or WebSocket
// text frames. Chat streaming writes to this, so both transports carry the same events.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace agent_host::http {

class EventStream {
 public:
  virtual ~EventStream() = default;
  // Sends one event. False once the client is gone (every later call is then false too).
  virtual bool send(std::string_view event, const nlohmann::json& data) = 0;
};

}  // namespace agent_host::http
