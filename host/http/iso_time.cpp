#include "http/iso_time.h"

#include <cstdio>
#include <ctime>

namespace agent_host::http {

std::string iso8601_ms(std::int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char out[96];  // room for any int the compiler can imagine in each field
  std::snprintf(out, sizeof(out), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(unix_ms % 1000));
  return out;
}

std::string iso8601_ms(std::chrono::system_clock::time_point when) {
  return iso8601_ms(
      std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count());
}

}  // namespace agent_host::http
