#include "http_client/response_parser.h"

#include <catch2/catch.hpp>

using namespace agent_host::http_client;

namespace {

std::string decode_in_pieces(const std::string& wire, std::size_t piece,
                             std::size_t* used = nullptr) {
  ChunkedDecoder decoder;
  std::string out;
  std::size_t total = 0;
  for (std::size_t at = 0; at < wire.size() && !decoder.done(); at += piece) {
    const auto part = std::string_view(wire).substr(at, piece);
    total += decoder.feed(part, [&](std::string_view data) { out.append(data); });
  }
  CHECK(decoder.done());
  if (used != nullptr) *used = total;
  return out;
}

ResponseHead head(const std::string& text) { return parse_response_head(text, 100); }

}  // namespace

TEST_CASE("a response head gives status and fields in order", "[http_client][parser]") {
  const std::string text =
      "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nX-A:  spaced  \r\nx-a: again\r\n\r\n";
  CHECK(find_head_end(text) == text.size());
  CHECK(find_head_end(text + "body") == text.size());
  CHECK(find_head_end("HTTP/1.1 200 OK\r\nA: b\r\n") == std::string::npos);
  const auto parsed = head(text);
  CHECK(parsed.status == 429);
  CHECK(parsed.http11);
  REQUIRE(parsed.headers.size() == 3);
  CHECK(parsed.headers[1].value == "spaced");
  CHECK(find_header(parsed.headers, "X-A")->value == "spaced");
  CHECK(head("HTTP/1.0 200\n\n").status == 200);
}

TEST_CASE("malformed heads are refused", "[http_client][parser]") {
  CHECK_THROWS_AS(head("HTTP/2 200 OK\r\n\r\n"), ProtocolError);
  CHECK_THROWS_AS(head("HTTP/1.1 2000 OK\r\n\r\n"), ProtocolError);
  CHECK_THROWS_AS(head("HTTP/1.1 200 OK\r\nNo colon\r\n\r\n"), ProtocolError);
  CHECK_THROWS_AS(head("HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n"), ProtocolError);
  CHECK_THROWS_AS(head("HTTP/1.1 200 OK\r\nA: b\x01\r\n\r\n"), ProtocolError);
  std::string many = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 101; ++i) many += "H: v\r\n";
  CHECK_THROWS_WITH(head(many + "\r\n"), Catch::Contains("more than 100"));
}

TEST_CASE("body framing follows RFC 9112", "[http_client][parser]") {
  using Kind = BodyFraming::Kind;
  auto framing = body_framing(head("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n"), "GET");
  CHECK(framing.kind == Kind::length);
  CHECK(framing.length == 12);
  CHECK(framing.keep_alive);
  framing = body_framing(head("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n"), "HEAD");
  CHECK(framing.kind == Kind::none);
  CHECK(body_framing(head("HTTP/1.1 204 No Content\r\n\r\n"), "GET").kind == Kind::none);
  CHECK(body_framing(head("HTTP/1.1 304 Not Modified\r\n\r\n"), "GET").kind == Kind::none);
  framing = body_framing(
      head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 5\r\n\r\n"),
      "POST");
  CHECK(framing.kind == Kind::chunked);
  CHECK_FALSE(framing.keep_alive);  // both framings given: do not trust the connection after
  framing = body_framing(head("HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\n"
                              "Content-Length: 1\r\n\r\n"),
                         "GET");
  CHECK_FALSE(framing.keep_alive);
  framing = body_framing(head("HTTP/1.1 200 OK\r\n\r\n"), "GET");
  CHECK(framing.kind == Kind::until_close);
  CHECK_FALSE(framing.keep_alive);
  CHECK_FALSE(body_framing(head("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n"), "GET").keep_alive);
  CHECK(body_framing(head("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\n"), "GET").length == 3);
  CHECK_THROWS_AS(
      body_framing(head("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"),
                   "GET"),
      ProtocolError);
  CHECK_THROWS_AS(body_framing(head("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"), "GET"),
                  ProtocolError);
}

TEST_CASE("chunked bodies decode however the bytes are split", "[http_client][parser]") {
  const std::string wire =
      "5;ext=1\r\nhello\r\n7\r\n, world\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n";
  for (std::size_t piece : {1u, 2u, 3u, 7u, 1000u}) {
    CHECK(decode_in_pieces(wire, piece) == "hello, world0123456789");
  }
  std::size_t used = 0;
  CHECK(decode_in_pieces("0\r\n\r\nNEXT", 100, &used) == "");
  CHECK(used == 5);  // the bytes after the body are not consumed
}

TEST_CASE("bad chunk framing is refused", "[http_client][parser]") {
  const auto feed = [](const std::string& wire) {
    ChunkedDecoder decoder(64);
    decoder.feed(wire, [](std::string_view) {});
  };
  CHECK_THROWS_AS(feed("zz\r\n"), ProtocolError);
  CHECK_THROWS_AS(feed("3\r\nabcd\r\n"), ProtocolError);
  CHECK_THROWS_AS(feed("ffffffffffffffff\r\n"), ProtocolError);
  CHECK_THROWS_AS(feed(std::string(100, '1')), ProtocolError);
}
