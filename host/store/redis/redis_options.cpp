#include "store/redis/redis_options.h"

#include <charconv>
#include <stdexcept>

namespace agent_host::store::redis {
namespace {

int parse_int(std::string_view text, int min, int max, const std::string& what) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    throw std::invalid_argument(what + " must be an integer " + std::to_string(min) + ".." +
                                std::to_string(max) + ", not \"" + std::string(text) + "\"");
  }
  return value;
}

}  // namespace

std::string RedisOptions::describe() const {
  return host + ":" + std::to_string(port) + "/" + std::to_string(database);
}

void parse_redis_url(const std::string& url, RedisOptions& options) {
  constexpr std::string_view scheme = "redis://";
  if (url.rfind("rediss://", 0) == 0) {
    throw std::invalid_argument(
        "rediss:// (TLS) is not available: Debian 12's hiredis 0.14 has no TLS support; reach a "
        "TLS Redis through a local tunnel (stunnel, spiped) and use redis://");
  }
  if (url.rfind(scheme, 0) != 0) {
    throw std::invalid_argument("the URL must start with redis://, not \"" + url + "\"");
  }
  std::string_view rest = std::string_view(url).substr(scheme.size());
  if (rest.find('@') != std::string_view::npos) {
    throw std::invalid_argument(
        "the URL must not carry credentials; name the password's secret in password_secret");
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) options.database = parse_int(db, 0, 1000000, "the database number");
  }
  std::string_view host = authority;
  if (!authority.empty() && authority.front() == '[') {  // [::1]:6379
    const auto close = authority.find(']');
    if (close == std::string_view::npos) throw std::invalid_argument("unclosed [ in the host");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') throw std::invalid_argument("junk after the host's ]");
      options.port = parse_int(after.substr(1), 1, 65535, "the port");
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    options.port = parse_int(authority.substr(colon + 1), 1, 65535, "the port");
  }
  if (!host.empty()) options.host = std::string(host);
}

}  // namespace agent_host::store::redis
