// Bytes from an upstream server (an LLM API, an MCP server): the host HTTP client's response
// head parser and chunked decoder, and the SDK's SSE parser that provider plugins use. The
// first byte picks where the input is split, so state carried across reads is exercised.
#include <agent_sdk/sse.hpp>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "http_client/response_parser.h"

namespace {

void parse_response(std::string_view bytes, std::size_t split) {
  namespace client = agent_host::http_client;
  const std::size_t head_end = client::find_head_end(bytes);
  if (head_end == std::string_view::npos) return;
  try {
    const client::ResponseHead head = client::parse_response_head(bytes.substr(0, head_end), 32);
    const client::BodyFraming framing = client::body_framing(head, "GET");
    if (framing.kind != client::BodyFraming::Kind::chunked) return;
    client::ChunkedDecoder decoder(256, 1024);
    std::string body;
    std::string_view rest = bytes.substr(head_end);
    while (!rest.empty() && !decoder.done()) {
      const std::string_view piece = rest.substr(0, split);
      const std::size_t used = decoder.feed(piece, [&](std::string_view d) { body.append(d); });
      if (used > piece.size()) __builtin_trap();
      if (used < piece.size() && !decoder.done()) __builtin_trap();  // stops early only at the end
      rest.remove_prefix(used);
    }
    if (body.size() > bytes.size()) __builtin_trap();  // decoding never invents bytes
  } catch (const client::ProtocolError&) {
  }
}

void parse_sse(std::string_view bytes, std::size_t split) {
  agent_sdk::SseParser parser(4096);
  std::size_t events = 0;
  try {
    while (!bytes.empty()) {
      parser.feed(bytes.substr(0, split), [&](const agent_sdk::SseEvent& event) {
        if (event.data.size() > 4096 + 1) __builtin_trap();  // the bound holds
        ++events;
        return true;
      });
      bytes.remove_prefix(std::min(split, bytes.size()));
    }
  } catch (const std::length_error&) {
  }
  (void)events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t split = 1 + data[0] % 64;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  parse_response(bytes, split);
  parse_sse(bytes, split);
  return 0;
}
