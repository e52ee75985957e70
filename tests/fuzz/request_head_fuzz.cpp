// The strict HTTP/1.1 request-head check that runs before Poco parses a request
// (http/request_head_guard.h): any bytes in, a verdict out, never a crash or an exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "http/request_head_guard.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using agent_host::http::HeadCheck;
  std::string head(reinterpret_cast<const char*>(data), size);
  // The check takes a complete head; the guard only calls it once "\r\n\r\n" arrived.
  if (head.size() < 4 || head.compare(head.size() - 4, 4, "\r\n\r\n") != 0) head += "\r\n\r\n";
  agent_host::http::HeadLimits limits;
  limits.max_bytes = 4096;
  limits.max_fields = 16;
  const HeadCheck check = agent_host::http::check_request_head(head, limits);
  if (check.verdict == HeadCheck::Verdict::ok) {
    // What it lets through must at least hold a request line with a method and a target.
    if (head.find(' ') == std::string::npos) __builtin_trap();
  } else if (check.reason.empty()) {
    __builtin_trap();  // every refusal says why
  }
  return 0;
}
