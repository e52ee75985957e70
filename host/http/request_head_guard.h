// Waits for a complete request head and checks it strictly before Poco parses it.
//
// Why: Poco 1.11's parser is lenient where leniency is dangerous. It silently drops a header
// line without a colon, accepts any three words as a request line, and its per-read timeout
// lets a client that trickles one byte every few seconds hold a worker thread forever. This
// guard peeks at the socket (MSG_PEEK, so Poco still reads the same bytes afterwards) until the
// head is complete or a total deadline passes, and answers malformed heads before any parsing.
#pragma once

#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <cstddef>
#include <string>

namespace agent_host::http {

struct HeadLimits {
  std::chrono::milliseconds deadline{10000};  // for the whole head, however it trickles in
  std::size_t max_bytes = 64 * 1024;
  std::size_t max_fields = 100;
};

struct HeadCheck {
  enum class Verdict {
    ok,         // a well-formed head is waiting in the socket
    closed,     // the client closed before sending anything
    timeout,    // the head was not complete before the deadline
    malformed,  // the head breaks HTTP/1.1 syntax (reason says how)
    too_large,  // the head is longer than max_bytes or has too many fields
  };
  Verdict verdict = Verdict::ok;
  std::string reason;
};

HeadCheck await_request_head(Poco::Net::StreamSocket& socket, const HeadLimits& limits);

// The syntax check alone, on a complete head ending in "\r\n\r\n" (exposed for tests).
HeadCheck check_request_head(std::string_view head, const HeadLimits& limits);

}  // namespace agent_host::http
