#include "common/transport_config.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace providers {

using agent_sdk::Json;
using std::chrono::milliseconds;

namespace {

constexpr std::int64_t kMaxTimeoutMs = 24LL * 60 * 60 * 1000;
constexpr std::size_t kMaxHeaders = 32;
constexpr std::size_t kMaxUrlBytes = 2048;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// RFC 9110 token characters.
bool is_token(const std::string& name) {
  static const std::string kExtra = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || kExtra.find(static_cast<char>(c)) != std::string::npos;
  });
}

bool valid_secret_name(const std::string& name) {
  return name.size() <= 128 && std::all_of(name.begin(), name.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '_' || c == '-' || c == '.';
         });
}

std::string read_base_url(const ConfigReader& reader, std::string_view fallback) {
  std::string url = reader.string("base_url").value_or(std::string(fallback));
  const bool clean = std::none_of(url.begin(), url.end(), [](unsigned char c) {
    return c <= ' ' || c == 0x7F || c == '?' || c == '#';
  });
  while (!url.empty() && url.back() == '/') url.pop_back();
  const std::size_t scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  const bool has_host =
      scheme_end != std::string::npos && url.size() > scheme_end + 3 && url[scheme_end + 3] != '/';
  if ((scheme != "http" && scheme != "https") || !has_host || !clean || url.size() > kMaxUrlBytes) {
    reader.fail("base_url",
                "must be an absolute http:// or https:// URL without spaces, query or fragment");
  }
  return url;
}

agent_sdk::HttpHeaders read_headers(const ConfigReader& reader,
                                    const std::vector<std::string>& reserved) {
  agent_sdk::HttpHeaders headers;
  const Json* object = reader.object("headers");
  if (object == nullptr) return headers;
  if (object->size() > kMaxHeaders) {
    reader.fail("headers", "has more than " + std::to_string(kMaxHeaders) + " entries");
  }
  for (const auto& item : object->items()) {
    const std::string name = item.key();
    const std::string key = lower(name);
    if (!is_token(name)) reader.fail("headers", "has an invalid header name \"" + name + "\"");
    if (key == "authorization" || key == "api-key" || key == "x-api-key") {
      reader.fail("headers", "must not set \"" + name +
                                 "\": the key comes from the host secret named by "
                                 "\"api_key_secret\"");
    }
    if (std::find(reserved.begin(), reserved.end(), key) != reserved.end()) {
      reader.fail("headers", "must not set \"" + name + "\": the plugin sets it");
    }
    if (!item.value().is_string()) {
      reader.fail("headers", "value of \"" + name + "\" must be a string");
    }
    const std::string value = item.value().get<std::string>();
    if (value.find_first_of("\r\n") != std::string::npos || value.find('\0') != std::string::npos) {
      reader.fail("headers", "value of \"" + name + "\" must not contain line breaks");
    }
    headers.emplace_back(name, value);
  }
  return headers;
}

milliseconds read_timeout(const ConfigReader& reader, const char* key) {
  return milliseconds(reader.integer(key, 0, kMaxTimeoutMs).value_or(0));
}

}  // namespace

std::vector<std::string> transport_keys() {
  return {"base_url",
          "api_key_secret",
          "headers",
          "connect_timeout_ms",
          "first_byte_timeout_ms",
          "idle_timeout_ms",
          "total_timeout_ms",
          "retry"};
}

TransportConfig read_transport_config(const ConfigReader& reader, std::string_view default_base_url,
                                      std::string_view default_secret,
                                      const std::vector<std::string>& reserved_headers) {
  TransportConfig config;
  config.base_url = read_base_url(reader, default_base_url);
  config.api_key_secret = reader.string("api_key_secret").value_or(std::string(default_secret));
  if (!valid_secret_name(config.api_key_secret)) {
    reader.fail("api_key_secret",
                "must be a secret name of letters, digits, '_', '-' and '.' (at most 128)");
  }
  std::vector<std::string> reserved = {"content-type", "content-length", "transfer-encoding",
                                       "host",         "connection",     "accept"};
  reserved.insert(reserved.end(), reserved_headers.begin(), reserved_headers.end());
  config.headers = read_headers(reader, reserved);
  config.timeouts.connect = read_timeout(reader, "connect_timeout_ms");
  config.timeouts.first_byte = read_timeout(reader, "first_byte_timeout_ms");
  config.timeouts.idle = read_timeout(reader, "idle_timeout_ms");
  config.timeouts.total = read_timeout(reader, "total_timeout_ms");
  if (const Json* retry = reader.object("retry")) {
    config.retry = parse_retry_policy(*retry, reader.where() + ": retry");
  }
  return config;
}

agent_sdk::HttpRequest json_post(const TransportConfig& config, std::string url, std::string body,
                                 bool stream, std::uint64_t call_id) {
  agent_sdk::HttpRequest request;
  request.method = "POST";
  request.url = std::move(url);
  request.body = std::move(body);
  request.call_id = call_id;
  request.headers = {{"content-type", "application/json"},
                     {"accept", stream ? "text/event-stream" : "application/json"}};
  request.headers.insert(request.headers.end(), config.headers.begin(), config.headers.end());
  request.connect_timeout = config.timeouts.connect;
  request.first_byte_timeout = config.timeouts.first_byte;
  request.idle_timeout = config.timeouts.idle;
  request.total_timeout = config.timeouts.total;
  return request;
}

}  // namespace providers
