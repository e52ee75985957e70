#include "http/request_head_guard.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <memory>
#include <thread>

namespace agent_host::http {
namespace {

using Verdict = HeadCheck::Verdict;

bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

HeadCheck malformed(std::string reason) { return {Verdict::malformed, std::move(reason)}; }

HeadCheck check_request_line(std::string_view line) {
  const auto first = line.find(' ');
  const auto last = line.rfind(' ');
  if (first == std::string_view::npos || first == last) {
    return malformed("the request line must be METHOD SP TARGET SP HTTP-VERSION");
  }
  const auto method = line.substr(0, first);
  const auto target = line.substr(first + 1, last - first - 1);
  const auto version = line.substr(last + 1);
  if (method.empty() || !std::all_of(method.begin(), method.end(), is_tchar)) {
    return malformed("invalid method in the request line");
  }
  if (target.empty() || std::any_of(target.begin(), target.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
      })) {
    return malformed("invalid request target");
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    return malformed("unsupported HTTP version (HTTP/1.0 and HTTP/1.1 are served)");
  }
  return {};
}

HeadCheck check_field(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') {
    return malformed("obsolete line folding in a header field is not accepted");
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return malformed("a header field has no colon");
  const auto name = line.substr(0, colon);
  if (name.empty() || !std::all_of(name.begin(), name.end(), is_tchar)) {
    // Also catches "Name : value", which RFC 9112 requires a server to reject.
    return malformed("invalid header field name");
  }
  const auto value = line.substr(colon + 1);
  if (std::any_of(value.begin(), value.end(), [](char c) {
        return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f;
      })) {
    return malformed("a header field value contains control characters");
  }
  return {};
}

}  // namespace

HeadCheck check_request_head(std::string_view head, const HeadLimits& limits) {
  std::size_t fields = 0;
  std::size_t start = 0;
  bool first_line = true;
  while (start < head.size()) {
    const auto end = head.find("\r\n", start);
    if (end == std::string_view::npos) return malformed("the request head is not CRLF-terminated");
    const auto line = head.substr(start, end - start);
    start = end + 2;
    if (line.empty()) {
      if (first_line) {  // RFC 9112: ignore at least one empty line before the request line
        continue;
      }
      return start == head.size() ? HeadCheck{} : malformed("data after the end of the head");
    }
    if (line.find('\r') != std::string_view::npos || line.find('\n') != std::string_view::npos ||
        line.find('\0') != std::string_view::npos) {
      return malformed("a bare CR, LF or NUL in the request head");
    }
    if (first_line) {
      first_line = false;
      if (auto check = check_request_line(line); check.verdict != Verdict::ok) return check;
      continue;
    }
    if (++fields > limits.max_fields) {
      return {Verdict::too_large,
              "more than " + std::to_string(limits.max_fields) + " header fields"};
    }
    if (auto check = check_field(line); check.verdict != Verdict::ok) return check;
  }
  return malformed("the request head is incomplete");
}

HeadCheck await_request_head(Poco::Net::StreamSocket& socket, const HeadLimits& limits) {
  const auto deadline = std::chrono::steady_clock::now() + limits.deadline;
  const int fd = socket.impl()->sockfd();
  // Not zero-filled: this runs before every request, and clearing 64 KiB costs more than the
  // rest of the check.
  const std::size_t capacity = limits.max_bytes + 4;
  const auto buffer = std::make_unique_for_overwrite<char[]>(capacity);
  auto pause = std::chrono::milliseconds(1);
  std::size_t seen = 0;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return {Verdict::timeout, "the request head was not received in time"};
    // Peek first: on a kept-alive connection the next head is usually there already.
    const ssize_t n = ::recv(fd, buffer.get(), capacity, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return {Verdict::closed, seen == 0 ? "" : "the client closed mid-head"};
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        return {Verdict::closed, "the connection failed"};
      // Plain poll(), not Poco's Socket::poll, which creates an epoll instance per call: four
      // syscalls instead of one, and a descriptor, which fails at the open-file limit.
      pollfd poller{fd, POLLIN, 0};
      const int rc = ::poll(&poller, 1, static_cast<int>((left.count() + 999) / 1000));
      if (rc == 0) return {Verdict::timeout, "the request head was not received in time"};
      if (rc < 0 && errno != EINTR) return {Verdict::closed, "the connection failed"};
      continue;
    }
    const std::string_view data(buffer.get(), static_cast<std::size_t>(n));
    if (const auto end = data.find("\r\n\r\n"); end != std::string_view::npos) {
      return check_request_head(data.substr(0, end + 4), limits);
    }
    if (static_cast<std::size_t>(n) > limits.max_bytes) {
      return {Verdict::too_large,
              "the request head is larger than " + std::to_string(limits.max_bytes) + " bytes"};
    }
    // Incomplete: the bytes stay readable, so wait a little before peeking again (backing off
    // while nothing new arrives) instead of spinning on poll().
    if (static_cast<std::size_t>(n) > seen) {
      seen = static_cast<std::size_t>(n);
      pause = std::chrono::milliseconds(1);
    } else {
      pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
    std::this_thread::sleep_for(pause);
  }
}

}  // namespace agent_host::http
