// Anthropic's error types (in an error body or an in-stream "error" event) as UpstreamErrors.
#pragma once

#include <string_view>

#include "common/upstream_error.hpp"

namespace providers::anthropic {

// overloaded_error, rate_limit_error, api_error -> UNAVAILABLE, retryable;
// timeout_error -> TIMEOUT, retryable;
// authentication_error, permission_error -> UPSTREAM, not retryable, no upstream text;
// invalid_request_error, not_found_error, request_too_large, others -> UPSTREAM, not retryable.
UpstreamError error_for_type(std::string_view type, std::string_view message);

}  // namespace providers::anthropic
