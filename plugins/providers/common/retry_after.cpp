#include "common/retry_after.hpp"

#include <array>
#include <cstdint>
#include <string>

namespace providers {

namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

// A bound on delta-seconds so the arithmetic cannot overflow; callers cap the wait far lower.
constexpr std::int64_t kMaxSeconds = 1'000'000'000;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Digits only, at most `kMaxSeconds`.
std::optional<std::int64_t> parse_count(std::string_view text) {
  if (!all_digits(text)) return std::nullopt;
  std::int64_t n = 0;
  for (const char c : text) {
    n = n * 10 + (c - '0');
    if (n > kMaxSeconds) return kMaxSeconds;
  }
  return n;
}

// A small cursor over the date text.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool literal(std::string_view expected) {
    if (text_.substr(0, expected.size()) != expected) return false;
    text_.remove_prefix(expected.size());
    return true;
  }
  // Exactly `width` digits.
  std::optional<int> digits(std::size_t width) {
    if (text_.size() < width || !all_digits(text_.substr(0, width))) return std::nullopt;
    int n = 0;
    for (std::size_t i = 0; i < width; ++i) n = n * 10 + (text_[i] - '0');
    text_.remove_prefix(width);
    return n;
  }
  // One or two digits, the first of which may be a space (asctime's day of month).
  std::optional<int> day_padded() {
    if (!text_.empty() && text_.front() == ' ') {
      text_.remove_prefix(1);
      return digits(1);
    }
    return digits(2);
  }
  std::optional<int> month() {
    static constexpr std::array<std::string_view, 12> kMonths = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
      if (literal(kMonths[i])) return static_cast<int>(i) + 1;
    }
    return std::nullopt;
  }
  // "HH:MM:SS" as seconds of the day.
  std::optional<int> time_of_day() {
    const auto h = digits(2);
    if (!h || !literal(":")) return std::nullopt;
    const auto m = digits(2);
    if (!m || !literal(":")) return std::nullopt;
    const auto s = digits(2);
    // 60 allows a leap second; it simply rolls into the next minute.
    if (!s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;
    return *h * 3600 + *m * 60 + *s;
  }
  // Skips a day name up to and including `terminator`.
  bool skip_day_name(char terminator) {
    const std::size_t at = text_.find(terminator);
    if (at == std::string_view::npos || at < 3 || at > 9) return false;
    text_.remove_prefix(at + 1);
    return true;
  }
  bool at_end() const { return text_.empty(); }

 private:
  std::string_view text_;
};

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = static_cast<unsigned>((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

std::optional<system_clock::time_point> to_time_point(int year, int month, int day, int seconds) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int last = kDays[static_cast<std::size_t>(month - 1)] + (month == 2 && leap(year) ? 1 : 0);
  if (day < 1 || day > last) return std::nullopt;
  const std::int64_t total = days_from_civil(year, month, day) * 86400 + seconds;
  return system_clock::time_point(std::chrono::seconds(total));
}

}  // namespace

std::optional<system_clock::time_point> parse_http_date(std::string_view text) {
  text = trim(text);
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (day name is exactly 3 letters).
  if (text.size() > 3 && text[3] == ',') {
    Scanner s(text);
    if (!s.skip_day_name(',') || !s.literal(" ")) return std::nullopt;
    const auto day = s.digits(2);
    if (!day || !s.literal(" ")) return std::nullopt;
    const auto month = s.month();
    if (!month || !s.literal(" ")) return std::nullopt;
    const auto year = s.digits(4);
    if (!year || !s.literal(" ")) return std::nullopt;
    const auto time = s.time_of_day();
    if (!time || !s.literal(" GMT") || !s.at_end()) return std::nullopt;
    return to_time_point(*year, *month, *day, *time);
  }
  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT". Two-digit years from 70 are 19xx, the rest 20xx
  // (the usual pivot); either way an old date only means "retry now".
  if (text.find(',') != std::string_view::npos) {
    Scanner s(text);
    if (!s.skip_day_name(',') || !s.literal(" ")) return std::nullopt;
    const auto day = s.digits(2);
    if (!day || !s.literal("-")) return std::nullopt;
    const auto month = s.month();
    if (!month || !s.literal("-")) return std::nullopt;
    const auto yy = s.digits(2);
    if (!yy || !s.literal(" ")) return std::nullopt;
    const auto time = s.time_of_day();
    if (!time || !s.literal(" GMT") || !s.at_end()) return std::nullopt;
    return to_time_point((*yy >= 70 ? 1900 : 2000) + *yy, *month, *day, *time);
  }
  // asctime: "Sun Nov  6 08:49:37 1994".
  Scanner s(text);
  if (!s.skip_day_name(' ')) return std::nullopt;
  const auto month = s.month();
  if (!month || !s.literal(" ")) return std::nullopt;
  const auto day = s.day_padded();
  if (!day || !s.literal(" ")) return std::nullopt;
  const auto time = s.time_of_day();
  if (!time || !s.literal(" ")) return std::nullopt;
  const auto year = s.digits(4);
  if (!year || !s.at_end()) return std::nullopt;
  return to_time_point(*year, *month, *day, *time);
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              system_clock::time_point now) {
  value = trim(value);
  if (const auto seconds = parse_count(value)) return milliseconds(*seconds * 1000);
  const auto date = parse_http_date(value);
  if (!date) return std::nullopt;
  if (*date <= now) return milliseconds(0);
  return std::chrono::duration_cast<milliseconds>(*date - now);
}

std::optional<milliseconds> retry_after_of(const agent_sdk::HttpHead& head,
                                           system_clock::time_point now) {
  if (const auto ms = head.header("retry-after-ms")) {
    if (const auto n = parse_count(trim(*ms))) return milliseconds(*n);
  }
  if (const auto value = head.header("retry-after")) return parse_retry_after(*value, now);
  return std::nullopt;
}

}  // namespace providers
