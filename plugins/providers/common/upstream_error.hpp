// Upstream failures as agent_sdk::Error, with the HTTP status and Retry-After the retry loop
// needs. Messages quote the upstream's own error message (bounded, control characters removed)
// but never a header and never anything for 401/403, whose messages may echo part of the key.
#pragma once

#include <agent_sdk/plugin.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace providers {

class UpstreamError : public agent_sdk::Error {
 public:
  UpstreamError(int32_t code, const std::string& message, bool retryable, int http_status = 0,
                std::optional<std::chrono::milliseconds> retry_after = std::nullopt)
      : Error(code, message, retryable), http_status_(http_status), retry_after_(retry_after) {}

  // The HTTP status the error came with, or 0 (an in-stream error, a malformed answer).
  int http_status() const noexcept { return http_status_; }
  const std::optional<std::chrono::milliseconds>& retry_after() const noexcept {
    return retry_after_;
  }

 private:
  int http_status_;
  std::optional<std::chrono::milliseconds> retry_after_;
};

// `text` cut to at most `limit` bytes without splitting a UTF-8 sequence, with control
// characters turned into spaces; "..." marks a cut.
std::string bounded_text(std::string_view text, std::size_t limit);

// The message inside an error body: {"error": {"message"}} (OpenAI, Anthropic, vLLM),
// {"error": "text"} (Ollama), {"message"} or {"detail"}; else the body itself when it is short
// text. Bounded by bounded_text(); "" when there is nothing to say.
std::string upstream_message(std::string_view body);

// The error for a non-2xx answer:
//   401, 403                      -> UPSTREAM, not retryable, no upstream text;
//   429 with "insufficient_quota" -> UPSTREAM, not retryable (a new attempt cannot help);
//   408, 429, 5xx (incl. 529)     -> UNAVAILABLE, retryable;
//   other 4xx (400, 404, 422...)  -> UPSTREAM, not retryable, with the upstream's message;
//   anything else (1xx, 3xx)      -> UPSTREAM, not retryable.
UpstreamError error_for_status(std::string_view provider, int status, std::string_view body,
                               std::optional<std::chrono::milliseconds> retry_after);

// An answer or event stream that is not what the protocol promises (bad JSON, missing
// terminator): UPSTREAM, retryable (the retry loop withdraws that once output went out).
UpstreamError malformed(std::string_view provider, const std::string& what);

}  // namespace providers
