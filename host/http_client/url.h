// Absolute http:// and https:// URLs as the client needs them: where to connect, what to put in
// the request line, and a form safe to show in messages and logs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agent_host::http_client {

struct Url {
  bool https = false;
  std::string host;  // lower case; an IPv6 literal without its brackets
  std::uint16_t port = 0;
  std::string target;  // path and query as given ("/" when empty); the fragment is dropped

  std::string_view scheme() const noexcept { return https ? "https" : "http"; }
  bool ipv6_literal() const noexcept { return host.find(':') != std::string::npos; }
  bool default_port() const noexcept { return port == (https ? 443 : 80); }
  // host[:port] as in a Host header or a CONNECT line (the port omitted when it is the default).
  std::string authority() const;
  // host:port, always with the port (CONNECT targets, messages).
  std::string host_port() const;
  // scheme://authority/target, for the absolute-form request line sent to a proxy.
  std::string absolute() const;
  // scheme://authority/path with the query replaced by "?..." (queries may carry keys).
  std::string for_log() const;
};

// Parses an absolute http(s) URL. On failure returns nothing and sets `error` to a reason that
// does not repeat the URL (it may hold credentials).
std::optional<Url> parse_url(std::string_view text, std::string& error);

}  // namespace agent_host::http_client
