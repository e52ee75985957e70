// GET /agents/{id}/ws: chat over a WebSocket, with a real Poco WebSocket client.
#include <Poco/Buffer.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/WebSocket.h>

#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "support/test_host.h"
#include "support/websocket_client.h"

using agent_test::http_request;
using agent_test::TestHost;
using nlohmann::json;
using Poco::Net::WebSocket;

using Client = agent_test::WebSocketClient;

TEST_CASE("a WebSocket chat streams the same events as SSE and serves several turns",
          "[http][websocket]") {
  TestHost host;
  Client client(host.port());
  const auto first = client.turn({{"user_id", "u1"}, {"message", "hello"}});
  REQUIRE(first.size() >= 2);
  CHECK(first.front()["event"] == "delta");
  CHECK(first.front()["data"]["text"] == "echo[2]: hello");
  CHECK(first[1]["data"]["text"] == " (checked)");  // the output rule's append, streamed
  const json& done = first.back();
  REQUIRE(done["event"] == "done");
  CHECK(done["data"]["response"] == "echo[2]: hello (checked)");
  CHECK(done["data"]["usage"]["total_tokens"] == 10);
  for (std::size_t i = 0; i < first.size(); ++i) CHECK(first[i]["id"] == i + 1);

  const std::string conversation = done["data"]["conversation_id"];
  const auto second =
      client.turn({{"user_id", "u1"}, {"message", "again"}, {"conversation_id", conversation}});
  CHECK(second.back()["event"] == "done");
  CHECK(second.back()["data"]["message_count"] == 4);
  CHECK(second.back()["data"]["response"] == "echo[4]: again (checked)");
}

TEST_CASE("a bad WebSocket message gets an error event and the socket stays usable",
          "[http][websocket]") {
  TestHost host;
  Client client(host.port());
  client.send_text("this is not json");
  const json error = client.receive();
  CHECK(error["event"] == "error");
  CHECK(error["data"]["status"] == 400);
  CHECK(error["data"]["error"]["code"] == "malformed_json");

  const auto invalid = client.turn({{"user_id", "u1"}});
  CHECK(invalid.back()["event"] == "error");
  CHECK(invalid.back()["data"]["status"] == 422);

  const auto ok = client.turn({{"user_id", "u1"}, {"message", "still here"}});
  CHECK(ok.back()["event"] == "done");
}

TEST_CASE("a WebSocket ping is answered with a pong and close with close", "[http][websocket]") {
  TestHost host;
  Client client(host.port());
  client.socket->sendFrame(
      "hi", 2,
      static_cast<int>(WebSocket::FRAME_FLAG_FIN) | static_cast<int>(WebSocket::FRAME_OP_PING));
  Poco::Buffer<char> buffer(0);
  int flags = 0;
  client.socket->receiveFrame(buffer, flags);
  CHECK((flags & WebSocket::FRAME_OP_BITMASK) == WebSocket::FRAME_OP_PONG);
  CHECK(std::string(buffer.begin(), buffer.size()) == "hi");

  client.socket->shutdown();
  buffer.resize(0);
  client.socket->receiveFrame(buffer, flags);
  CHECK((flags & WebSocket::FRAME_OP_BITMASK) == WebSocket::FRAME_OP_CLOSE);
}

TEST_CASE("the WebSocket route without an upgrade answers 426 in JSON, an unknown agent 404",
          "[http][websocket]") {
  TestHost host;
  const auto plain = http_request(host.port(), "GET", "/agents/fx/ws");
  CHECK(plain.status == 426);
  CHECK(plain.json["error"]["code"] == "upgrade_required");
  const auto unknown = http_request(host.port(), "GET", "/agents/nobody/ws");
  CHECK(unknown.status == 404);
  // The host keeps serving HTTP on new connections.
  CHECK(http_request(host.port(), "GET", "/health").status == 200);
}
