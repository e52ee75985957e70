#include "http/websocket_stream.h"

#include <Poco/Exception.h>

#include <agent_sdk/json_codec.hpp>

namespace agent_host::http {

bool WebSocketStream::send(std::string_view event, const nlohmann::json& data) {
  if (broken_) return false;
  const nlohmann::json frame = {{"id", next_id_++}, {"event", event}, {"data", data}};
  const std::string text = agent_sdk::dump_json(frame, nlohmann::json::error_handler_t::replace);
  try {
    socket_.sendFrame(text.data(), static_cast<int>(text.size()), Poco::Net::WebSocket::FRAME_TEXT);
  } catch (const Poco::Exception&) {
    broken_ = true;
  }
  return !broken_;
}

}  // namespace agent_host::http
