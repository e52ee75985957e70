#include "http_client/proxy_rules.h"

#include <Poco/Base64Encoder.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

namespace agent_host::http_client {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::string first_env(const char* lower_name, const char* upper_name) {
  for (const char* name : {lower_name, upper_name}) {
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') return value;
  }
  return "";
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string basic_credentials(const std::string& user, const std::string& password) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder << user << ':' << password;
  encoder.close();
  return "Basic " + out.str();
}

}  // namespace

std::string ProxyEndpoint::host_port() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

ProxySettings ProxySettings::from_environment() {
  ProxySettings settings;
  settings.http_proxy = first_env("http_proxy", "HTTP_PROXY");
  settings.https_proxy = first_env("https_proxy", "HTTPS_PROXY");
  settings.no_proxy = first_env("no_proxy", "NO_PROXY");
  return settings;
}

std::vector<std::string> parse_no_proxy(std::string_view list) {
  std::vector<std::string> entries;
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string entry = lower(trim(list.substr(0, comma)));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (entry.empty()) continue;
    if (entry.front() == '[') {  // [v6] or [v6]:port
      const auto close = entry.find(']');
      entry = entry.substr(1, close == std::string::npos ? std::string::npos : close - 1);
    } else if (std::count(entry.begin(), entry.end(), ':') == 1) {  // host:port (ports ignored)
      entry.erase(entry.find(':'));
    }
    if (entry != "*") {
      if (entry.rfind("*.", 0) == 0) entry.erase(0, 1);  // "*.example.com" as ".example.com"
      while (!entry.empty() && entry.front() == '.') entry.erase(0, 1);
      while (!entry.empty() && entry.back() == '.') entry.pop_back();
    }
    if (!entry.empty()) entries.push_back(std::move(entry));
  }
  return entries;
}

bool bypasses_proxy(const std::vector<std::string>& no_proxy, std::string_view host_text) {
  std::string host = lower(host_text);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  while (!host.empty() && host.back() == '.') host.pop_back();
  for (const auto& entry : no_proxy) {
    if (entry == "*" || entry == host) return true;
    if (host.size() > entry.size() &&
        host.compare(host.size() - entry.size(), entry.size(), entry) == 0 &&
        host[host.size() - entry.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

ProxyRules::Slot ProxyRules::parse_slot(const std::string& value, const char* name,
                                        std::vector<std::string>& warnings) {
  Slot slot;
  std::string_view text = trim(value);
  if (text.empty()) return slot;
  const auto fail = [&](const std::string& why) {
    slot.error = std::string("the ") + name + " setting is not usable: " + why;
    warnings.push_back(slot.error);
    return slot;
  };
  if (const auto scheme_end = text.find("://"); scheme_end != std::string_view::npos) {
    const std::string scheme = lower(text.substr(0, scheme_end));
    if (scheme != "http") {
      return fail("proxy scheme \"" + scheme + "\" is not supported (only http:// proxies)");
    }
    text.remove_prefix(scheme_end + 3);
  }
  text = text.substr(0, text.find_first_of("/?#"));
  ProxyEndpoint endpoint;
  if (const auto at = text.rfind('@'); at != std::string_view::npos) {
    const auto userinfo = text.substr(0, at);
    const auto colon = userinfo.find(':');
    endpoint.authorization = basic_credentials(
        percent_decode(userinfo.substr(0, colon)),
        colon == std::string_view::npos ? "" : percent_decode(userinfo.substr(colon + 1)));
    text.remove_prefix(at + 1);
  }
  std::string error;
  const auto parsed = parse_url("http://" + std::string(text) + "/", error);
  if (!parsed) return fail("invalid proxy address");
  endpoint.host = parsed->host;
  endpoint.port = parsed->port;
  slot.endpoint = std::move(endpoint);
  return slot;
}

ProxyRules::ProxyRules(const ProxySettings& settings)
    : warnings_(),
      http_(parse_slot(settings.http_proxy, "http_proxy", warnings_)),
      https_(parse_slot(settings.https_proxy, "https_proxy", warnings_)),
      no_proxy_(parse_no_proxy(settings.no_proxy)) {}

ProxyRules::Choice ProxyRules::choose(const Url& url) const {
  const Slot& slot = url.https ? https_ : http_;
  if ((!slot.endpoint && slot.error.empty()) || bypasses_proxy(no_proxy_, url.host)) return {};
  if (!slot.endpoint) return {nullptr, slot.error};
  return {&*slot.endpoint, ""};
}

}  // namespace agent_host::http_client
