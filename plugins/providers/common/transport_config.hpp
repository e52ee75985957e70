// The config keys every network provider shares: where the upstream is, which host secret holds
// its key, extra static headers, timeouts and the retry policy.
#pragma once

#include <agent_sdk/http.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/config_reader.hpp"
#include "common/retry_policy.hpp"

namespace providers {

struct Timeouts {  // zero: the host's default
  std::chrono::milliseconds connect{0};
  std::chrono::milliseconds first_byte{0};
  std::chrono::milliseconds idle{0};
  std::chrono::milliseconds total{0};
};

struct TransportConfig {
  std::string base_url;  // http(s)://..., without a trailing '/'
  std::string api_key_secret;
  agent_sdk::HttpHeaders headers;  // extra static headers, sent with every request
  Timeouts timeouts;
  RetryPolicy retry;
};

// base_url, api_key_secret, headers, connect_timeout_ms, first_byte_timeout_ms,
// idle_timeout_ms, total_timeout_ms, retry.
std::vector<std::string> transport_keys();

// Reads those keys. `reserved_headers` (lower case) are refused in "headers" because the plugin
// sets them itself; authorization, api-key and x-api-key are always refused so that keys come
// from the host's secrets, never from a config file.
TransportConfig read_transport_config(const ConfigReader& reader, std::string_view default_base_url,
                                      std::string_view default_secret,
                                      const std::vector<std::string>& reserved_headers);

// A POST of `body` (JSON) to `url` with the config's timeouts and extra headers, serving `call_id`
// (so the host aborts it when the call is cancelled). Callers add their own auth headers.
agent_sdk::HttpRequest json_post(const TransportConfig& config, std::string url, std::string body,
                                 bool stream, std::uint64_t call_id);

}  // namespace providers
