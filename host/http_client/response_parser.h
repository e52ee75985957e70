// Reading an HTTP/1.x response: the head (status line and fields, bounded), how its body is
// framed (RFC 9112 section 6.3), and a decoder for chunked bodies that hands data on as it comes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "http_client/headers.h"

namespace agent_host::http_client {

// The upstream's bytes are not valid HTTP (or break a limit); the message says how.
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ResponseHead {
  int status = 0;
  bool http11 = true;  // false for HTTP/1.0
  Headers headers;
};

// The index just past the empty line that ends a head at the start of `data`, or npos.
std::size_t find_head_end(std::string_view data) noexcept;

// Parses a complete head (as delimited by find_head_end). Throws ProtocolError.
ResponseHead parse_response_head(std::string_view head, std::size_t max_headers);

struct BodyFraming {
  enum class Kind { none, length, chunked, until_close } kind = Kind::none;
  std::uint64_t length = 0;  // for Kind::length
  bool keep_alive = true;    // the connection may carry another request afterwards
};

// How the body of a response to `method` is delimited. Throws ProtocolError on conflicting or
// invalid Content-Length fields.
BodyFraming body_framing(const ResponseHead& head, std::string_view method);

class ChunkedDecoder {
 public:
  explicit ChunkedDecoder(std::size_t max_line = 4096, std::size_t max_trailer = 64 * 1024)
      : max_line_(max_line), max_trailer_(max_trailer) {}

  // Decodes `input`, passing each piece of data to `on_data`. Returns how many bytes were used:
  // all of them unless the body ended inside `input` (then done() is true). Throws ProtocolError.
  std::size_t feed(std::string_view input, const std::function<void(std::string_view)>& on_data);
  bool done() const noexcept { return state_ == State::done; }

 private:
  enum class State { size, data, data_end, trailer, done };
  void end_of_line(std::string_view line);

  std::size_t max_line_;
  std::size_t max_trailer_;
  State state_ = State::size;
  std::string line_;
  std::uint64_t remaining_ = 0;
  std::size_t trailer_bytes_ = 0;
};

}  // namespace agent_host::http_client
