// Which proxy, if any, a request goes through: HTTP_PROXY for http:// URLs, HTTPS_PROXY for
// https:// URLs (a CONNECT tunnel), unless NO_PROXY names the host. Matching NO_PROXY is done
// here rather than by Poco, whose "nonProxyHosts" is a regular expression with other rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_client/client_options.h"
#include "http_client/url.h"

namespace agent_host::http_client {

struct ProxyEndpoint {
  std::string host;
  std::uint16_t port = 80;
  std::string authorization;  // a Proxy-Authorization value from the proxy URL's userinfo, or ""

  std::string host_port() const;
};

// The entries of a NO_PROXY list: lower case, without ports, brackets or leading dots.
std::vector<std::string> parse_no_proxy(std::string_view list);
// True when `host` must be reached directly: an entry is "*", equals the host, or is a domain
// the host belongs to ("example.com" and ".example.com" both match "api.example.com").
bool bypasses_proxy(const std::vector<std::string>& no_proxy, std::string_view host);

class ProxyRules {
 public:
  explicit ProxyRules(const ProxySettings& settings);

  struct Choice {
    const ProxyEndpoint* proxy = nullptr;  // null: connect directly
    std::string error;                     // set when the configured proxy cannot be used
  };
  Choice choose(const Url& url) const;

  // Problems found in the settings, for one warning each at start-up (no credentials in them).
  const std::vector<std::string>& warnings() const noexcept { return warnings_; }

 private:
  struct Slot {
    std::optional<ProxyEndpoint> endpoint;
    std::string error;
  };
  static Slot parse_slot(const std::string& value, const char* name,
                         std::vector<std::string>& warnings);

  std::vector<std::string> warnings_;  // first: the slots below add to it as they are built
  Slot http_;
  Slot https_;
  std::vector<std::string> no_proxy_;
};

}  // namespace agent_host::http_client
