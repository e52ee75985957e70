// What Poco's parser rejects, request smuggling, stalled clients and overload: each gets a JSON
// error and a closed connection, quickly.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "support/test_host.h"

using agent_test::raw_body_json;
using agent_test::raw_exchange;
using agent_test::TestHost;

namespace {

void check_raw_error(const std::string& response, int status, const std::string& code) {
  INFO(response);
  CHECK_THAT(response, Catch::StartsWith("HTTP/1.1 " + std::to_string(status)));
  CHECK_THAT(response, Catch::Contains("Connection: close", Catch::CaseSensitive::No));
  const auto body = raw_body_json(response);
  REQUIRE(body.is_object());
  CHECK(body["error"]["code"] == code);
  CHECK(body["error"]["request_id"].get<std::string>().size() > 0);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("a malformed request line gets a JSON 400 and a closed connection", "[http][protocol]") {
  TestHost host;
  check_raw_error(raw_exchange(host.port(), "THIS IS NOT HTTP\r\n\r\n"), 400, "malformed_request");
}

TEST_CASE("an unsupported HTTP version gets a JSON 400", "[http][protocol]") {
  TestHost host;
  check_raw_error(raw_exchange(host.port(), "GET /health HTTP/2.0\r\nHost: x\r\n\r\n"), 400,
                  "malformed_request");
}

TEST_CASE("whitespace before a header colon and obsolete folding are refused", "[http][protocol]") {
  TestHost host;
  check_raw_error(
      raw_exchange(host.port(),
                   "GET /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n"),
      400, "malformed_request");
  check_raw_error(raw_exchange(host.port(), "GET /health HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n"),
                  400, "malformed_request");
}

TEST_CASE("an oversized request head gets 431", "[http][protocol]") {
  TestHost host;
  check_raw_error(raw_exchange(host.port(), "GET /health HTTP/1.1\r\nX-Big: " +
                                                std::string(70 * 1024, 'a') + "\r\n\r\n"),
                  431, "headers_too_large");
}

TEST_CASE("a client trickling its head byte by byte is cut at the deadline", "[http][protocol]") {
  TestHost host([](auto& config) { config.http.io_timeout_ms = 500; });
  Poco::Net::StreamSocket socket(
      Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(host.port())));
  const auto start = std::chrono::steady_clock::now();
  std::string received;
  const std::string head = "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  try {
    for (std::size_t i = 0; seconds_since(start) < 4.0; ++i) {
      socket.sendBytes(i < head.size() ? &head[i] : "a", 1);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (socket.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ)) break;
    }
    char buffer[2048];
    for (int n; (n = socket.receiveBytes(buffer, sizeof(buffer))) > 0;) received.append(buffer, n);
  } catch (const Poco::Exception&) {
  }
  CHECK(seconds_since(start) < 2.0);
  check_raw_error(received, 408, "request_timeout");
}

TEST_CASE("a header without a colon gets a JSON 400", "[http][protocol]") {
  TestHost host;
  check_raw_error(
      raw_exchange(host.port(), "GET /health HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n"), 400,
      "malformed_request");
}

TEST_CASE("Content-Length together with Transfer-Encoding is refused", "[http][protocol]") {
  TestHost host;
  const std::string body = R"({"user_id":"u","message":"hi"})";
  check_raw_error(raw_exchange(host.port(),
                               "POST /agents/fx/chat HTTP/1.1\r\nHost: x\r\n"
                               "Content-Type: application/json\r\nContent-Length: " +
                                   std::to_string(body.size()) +
                                   "\r\nTransfer-Encoding: chunked\r\n\r\n" + body),
                  400, "ambiguous_framing");
}

TEST_CASE("bad chunk framing gets a JSON 400", "[http][protocol]") {
  TestHost host;
  check_raw_error(
      raw_exchange(host.port(),
                   "POST /agents/fx/chat HTTP/1.1\r\nHost: x\r\n"
                   "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "zz\r\n{}\r\n0\r\n\r\n"),
      400, "malformed_body");
}

TEST_CASE("a well-formed chunked body is accepted", "[http][protocol]") {
  TestHost host;
  const std::string body = R"({"user_id":"u","message":"chunked hello"})";
  char size[16];
  std::snprintf(size, sizeof(size), "%zx", body.size());
  const auto response =
      raw_exchange(host.port(),
                   "POST /agents/fx/chat HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                   "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
                       std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n");
  CHECK_THAT(response, Catch::StartsWith("HTTP/1.1 200"));
  CHECK_THAT(response, Catch::Contains("echo[2]: chunked hello"));
}

TEST_CASE("a stalled request is answered 408 at the I/O timeout, not after a minute",
          "[http][protocol]") {
  TestHost host([](auto& config) { config.http.io_timeout_ms = 300; });
  const auto start = std::chrono::steady_clock::now();
  const auto response = raw_exchange(host.port(), "GET /health HTTP/1.1\r\nHost: x\r\n");
  check_raw_error(response, 408, "request_timeout");
  CHECK(seconds_since(start) < 3.0);
}

TEST_CASE("a connection that sends nothing is closed at the I/O timeout", "[http][protocol]") {
  TestHost host([](auto& config) { config.http.io_timeout_ms = 300; });
  const auto start = std::chrono::steady_clock::now();
  const auto response = raw_exchange(host.port(), "");
  CHECK_THAT(response, !Catch::Contains("<timeout>"));
  CHECK(seconds_since(start) < 3.0);
}

TEST_CASE("when every thread is busy and the queue is full new connections get 503",
          "[http][overload]") {
  TestHost host([](auto& config) {
    config.http.max_threads = 1;
    config.http.max_queued = 1;
    config.http.io_timeout_ms = 3000;
  });
  using Poco::Net::SocketAddress;
  using Poco::Net::StreamSocket;
  const SocketAddress address("127.0.0.1", static_cast<Poco::UInt16>(host.port()));
  // The first connection holds the only worker (a request that never completes), the second
  // waits in the queue; the third finds no room.
  StreamSocket busy(address);
  busy.sendBytes("GET /health HTTP/1.1\r\n", 22);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  StreamSocket queued(address);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto start = std::chrono::steady_clock::now();
  const auto response = raw_exchange(host.port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(seconds_since(start) < 1.0);
  check_raw_error(response, 503, "overloaded");
  CHECK_THAT(response, Catch::Contains("Retry-After: 1"));
}

TEST_CASE("keep-alive connections serve several requests", "[http][protocol]") {
  TestHost host;
  const auto response = raw_exchange(host.port(),
                                     "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /agents "
                                     "HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::size_t count = 0;
  for (std::size_t at = 0; (at = response.find("HTTP/1.1 200", at)) != std::string::npos; ++at)
    ++count;
  CHECK(count == 2);
}

TEST_CASE("a connection serves at most max_keep_alive_requests, the last one closing it",
          "[http][protocol]") {
  TestHost host([](auto& config) { config.http.max_keep_alive_requests = 2; });
  const std::string request = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
  const auto response = raw_exchange(host.port(), request + request + request);
  INFO(response);
  std::size_t count = 0;
  for (std::size_t at = 0; (at = response.find("HTTP/1.1 200", at)) != std::string::npos; ++at)
    ++count;
  CHECK(count == 2);
  const auto second = response.rfind("HTTP/1.1 200");
  CHECK_THAT(response.substr(0, second),
             !Catch::Contains("Connection: close", Catch::CaseSensitive::No));
  CHECK_THAT(response.substr(second),
             Catch::Contains("Connection: close", Catch::CaseSensitive::No));
  CHECK_THAT(response, !Catch::Contains("<timeout>"));
}

TEST_CASE("an idle kept-alive connection is closed after keep_alive_timeout_ms",
          "[http][protocol]") {
  TestHost host([](auto& config) { config.http.keep_alive_timeout_ms = 300; });
  const auto start = std::chrono::steady_clock::now();
  const auto response = raw_exchange(host.port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", 3000);
  const double waited = seconds_since(start);
  INFO(response);
  CHECK_THAT(response, Catch::StartsWith("HTTP/1.1 200"));
  CHECK_THAT(response, !Catch::Contains("<timeout>"));
  CHECK(waited >= 0.25);
  CHECK(waited < 2.0);
}
