// A WebSocket chat client (Poco's) for GET /agents/{id}/ws: sends JSON text frames and reads the
// event frames of a turn.
#pragma once

#include <Poco/Buffer.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/WebSocket.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace agent_test {

struct WebSocketClient {
  explicit WebSocketClient(unsigned port, const std::string& path = "/agents/fx/ws")
      : session("127.0.0.1", static_cast<Poco::UInt16>(port)) {
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    Poco::Net::HTTPResponse response;
    socket = std::make_unique<Poco::Net::WebSocket>(session, request, response);
    socket->setReceiveTimeout(Poco::Timespan(10, 0));
  }

  void send_text(const std::string& text) {
    socket->sendFrame(text.data(), static_cast<int>(text.size()), Poco::Net::WebSocket::FRAME_TEXT);
  }

  nlohmann::json receive() {
    Poco::Buffer<char> buffer(0);
    int flags = 0;
    socket->receiveFrame(buffer, flags);
    return nlohmann::json::parse(std::string(buffer.begin(), buffer.size()));
  }

  // Frames until one whose event is "done" or "error".
  std::vector<nlohmann::json> turn(const nlohmann::json& message) {
    send_text(message.dump());
    std::vector<nlohmann::json> frames;
    for (;;) {
      frames.push_back(receive());
      const std::string event = frames.back()["event"];
      if (event == "done" || event == "error") return frames;
    }
  }

  Poco::Net::HTTPClientSession session;
  std::unique_ptr<Poco::Net::WebSocket> socket;
};

}  // namespace agent_test
