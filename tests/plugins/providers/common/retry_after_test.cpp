#include "common/retry_after.hpp"

#include <catch2/catch.hpp>

using namespace providers;
using std::chrono::milliseconds;
using std::chrono::system_clock;

namespace {

// 1994-11-06T08:49:37Z, the RFC's example date.
const system_clock::time_point kExample = system_clock::time_point(std::chrono::seconds(784111777));

}  // namespace

TEST_CASE("HTTP dates parse in all three formats HTTP recipients must accept",
          "[plugins][providers][retry]") {
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == kExample);
  CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == kExample);
  CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == kExample);
  CHECK(parse_http_date("  Sun, 06 Nov 1994 08:49:37 GMT ") == kExample);
  // Leap day and the last second of a year.
  CHECK(parse_http_date("Thu, 29 Feb 2024 00:00:00 GMT") ==
        system_clock::time_point(std::chrono::seconds(1709164800)));
  CHECK(parse_http_date("Fri, 31 Dec 1999 23:59:59 GMT") ==
        system_clock::time_point(std::chrono::seconds(946684799)));
}

TEST_CASE("malformed HTTP dates are refused, not guessed", "[plugins][providers][retry]") {
  for (const char* text : {"", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC",
                           "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
                           "Sun, 30 Feb 2023 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
                           "Sun, 06 Nov 1994 08:49:37 GMT extra", "tomorrow", "Sun Nov  6 08:49:37",
                           "2024-01-01T00:00:00Z"}) {
    INFO(text);
    CHECK_FALSE(parse_http_date(text).has_value());
  }
}

TEST_CASE("Retry-After is read as delta-seconds or as a date relative to now",
          "[plugins][providers][retry]") {
  CHECK(parse_retry_after("0", kExample) == milliseconds(0));
  CHECK(parse_retry_after("7", kExample) == milliseconds(7000));
  CHECK(parse_retry_after(" 120 ", kExample) == milliseconds(120000));
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:42 GMT", kExample) == milliseconds(5000));
  // A date in the past means "now".
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", kExample) == milliseconds(0));
  // Huge values saturate instead of overflowing; the caller caps them at max_backoff.
  CHECK(parse_retry_after("99999999999999999999999", kExample) > milliseconds(1000000));
  CHECK_FALSE(parse_retry_after("-1", kExample).has_value());
  CHECK_FALSE(parse_retry_after("1.5", kExample).has_value());
  CHECK_FALSE(parse_retry_after("soon", kExample).has_value());
  CHECK_FALSE(parse_retry_after("", kExample).has_value());
}

TEST_CASE("retry-after-ms wins over Retry-After, header names are case-insensitive",
          "[plugins][providers][retry]") {
  agent_sdk::HttpHead head;
  head.status = 429;
  CHECK_FALSE(retry_after_of(head, kExample).has_value());
  head.headers = {{"Retry-After", "3"}};
  CHECK(retry_after_of(head, kExample) == milliseconds(3000));
  head.headers = {{"retry-after", "3"}, {"Retry-After-Ms", "250"}};
  CHECK(retry_after_of(head, kExample) == milliseconds(250));
  // An unusable retry-after-ms falls back to Retry-After.
  head.headers = {{"retry-after-ms", "abc"}, {"retry-after", "2"}};
  CHECK(retry_after_of(head, kExample) == milliseconds(2000));
}
