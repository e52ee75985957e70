// One HTTP attempt against an upstream through the host's client: an event stream goes to the
// caller event by event as it arrives; any other successful answer comes back whole; an error
// status becomes an UpstreamError carrying the upstream's Retry-After. Every byte is counted
// against the limits.
#pragma once

#include <agent_sdk/http.hpp>
#include <agent_sdk/sse.hpp>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/limits.hpp"

namespace providers {

struct ExchangeLimits {
  std::size_t max_response_bytes = kMaxResponseBytes;
  std::size_t max_event_bytes = kMaxEventBytes;
  std::size_t max_error_body_bytes = kMaxErrorBodyBytes;
};

struct ExchangeOutcome {
  bool streamed = false;  // true: a 2xx text/event-stream, already delivered to on_event
  std::string body;       // the whole body of any other 2xx answer
};

// Performs `request`. A 2xx answer is taken as an event stream when its Content-Type says
// text/event-stream, or when it has no Content-Type and the request accepted one. Throws
// UpstreamError for a non-2xx status (error_for_status) or a response past the limits, and the
// client's agent_sdk::Error for a transport failure. `on_event` may throw to abort (its exception
// comes out of exchange()). `cancelled` is polled for every piece of the body.
ExchangeOutcome exchange(const agent_sdk::HttpClient& client, const agent_sdk::HttpRequest& request,
                         std::string_view provider, const ExchangeLimits& limits,
                         const std::function<void(const agent_sdk::SseEvent&)>& on_event,
                         const std::function<bool()>& cancelled);

// The whole body as a JSON object; a malformed one is a retryable UPSTREAM error.
agent_sdk::Json parse_json_body(std::string_view body, std::string_view provider);

}  // namespace providers
