// How the host's outbound HTTP client behaves: default timeouts, TLS trust, the keep-alive pool
// and proxies. Plain data, so the host config can carry it without pulling in the network stack.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace agent_host::http_client {

// Proxy settings in the usual environment-variable syntax.
struct ProxySettings {
  std::string http_proxy;   // for http:// URLs, e.g. "http://user:pass@proxy:3128"
  std::string https_proxy;  // for https:// URLs (tunnelled with CONNECT)
  std::string no_proxy;     // comma list: exact host, ".suffix" or "suffix" domain match, "*"

  // From http_proxy/HTTP_PROXY, https_proxy/HTTPS_PROXY and no_proxy/NO_PROXY (lower case wins).
  static ProxySettings from_environment();
};

struct ClientOptions {
  // Defaults for requests that leave a timeout at 0; a request's own values override them, and
  // the deadline of the call a request serves caps them all.
  std::chrono::milliseconds connect_timeout{10'000};     // TCP connect + proxy + TLS handshake
  std::chrono::milliseconds first_byte_timeout{60'000};  // request sent -> response head
  std::chrono::milliseconds idle_timeout{60'000};        // silence between body pieces
  std::chrono::milliseconds total_timeout{300'000};      // the whole exchange

  // A PEM file of extra CA certificates, trusted in addition to the system's.
  std::string ca_file;
  // Verify the server's certificate chain and host name. Off only for experiments.
  bool verify_peer = true;

  std::size_t max_response_head_bytes = 64 * 1024;
  std::size_t max_response_headers = 100;

  // Idle keep-alive connections kept per origin (scheme, host, port and proxy); 0 disables reuse.
  std::size_t max_idle_per_origin = 16;
  std::chrono::milliseconds idle_connection_expiry{30'000};

  // Proxies; nothing means "read the environment once, when the client is built".
  std::optional<ProxySettings> proxies;
};

}  // namespace agent_host::http_client
