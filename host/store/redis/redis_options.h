// Where and how the host reaches Redis (the "redis" section of host.json, already parsed).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace agent_host::store::redis {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  int database = 0;
  std::optional<std::string> password;  // sent with AUTH when set; never logged
  // Every call is bounded: a Redis that hangs costs a turn at most these, never a stuck chat.
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds command_timeout{500};
  std::size_t max_connections = 16;  // the pool's bound; callers beyond it wait command_timeout
  // How often the health monitor PINGs (and, while Redis is down, the longest retry interval).
  std::chrono::milliseconds check_interval{1000};

  // "host:port/db", for logs and errors (no password).
  std::string describe() const;
};

// Parses redis://[host][:port][/db]. Credentials do not belong in the URL (they would end up in
// logs and config repositories): the password comes from a host secret. rediss:// is refused
// because Debian 12's hiredis 0.14 has no TLS support (libhiredis-ssl does not exist there).
// Throws std::invalid_argument with the reason.
void parse_redis_url(const std::string& url, RedisOptions& options);

}  // namespace agent_host::store::redis
