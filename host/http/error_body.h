// The JSON error body and the raw HTTP/1.1 error response used where no Poco response object
// exists (a connection refused before it reached a worker thread).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace agent_host::http {

std::string error_body(std::string_view code, std::string_view message,
                       std::string_view request_id);

// A complete "HTTP/1.1 <status>" response with a JSON error body and "Connection: close".
std::string raw_error_response(int status, std::string_view code, std::string_view message,
                               std::string_view request_id,
                               std::optional<int> retry_after_seconds = std::nullopt);

}  // namespace agent_host::http
