// The upstream's Retry-After: how long it asked us to wait before trying again.
#pragma once

#include <agent_sdk/http.hpp>
#include <chrono>
#include <optional>
#include <string_view>

namespace providers {

// An HTTP-date in any of the three formats HTTP/1.1 recipients must accept (RFC 9110 5.6.7):
// IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" and
// asctime "Sun Nov  6 08:49:37 1994". Locale-independent.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

// A Retry-After value, delta-seconds or an HTTP-date, as the wait from `now` (a date in the
// past waits zero). Nothing when the value is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

// The wait an answer asks for: "retry-after-ms" (milliseconds, sent by OpenAI and Azure) when
// present and valid, else "retry-after".
std::optional<std::chrono::milliseconds> retry_after_of(const agent_sdk::HttpHead& head,
                                                        std::chrono::system_clock::time_point now);

}  // namespace providers
