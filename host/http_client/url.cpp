#include "http_client/url.h"

#include <algorithm>
#include <cctype>

namespace agent_host::http_client {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_reg_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

bool is_ipv6_char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

std::string bracketed(const Url& url) {
  return url.ipv6_literal() ? "[" + url.host + "]" : url.host;
}

}  // namespace

std::string Url::authority() const {
  return default_port() ? bracketed(*this) : bracketed(*this) + ":" + std::to_string(port);
}

std::string Url::host_port() const { return bracketed(*this) + ":" + std::to_string(port); }

std::string Url::absolute() const { return std::string(scheme()) + "://" + authority() + target; }

std::string Url::for_log() const {
  const auto query = target.find('?');
  const std::string path = query == std::string::npos ? target : target.substr(0, query) + "?...";
  return std::string(scheme()) + "://" + authority() + path;
}

std::optional<Url> parse_url(std::string_view text, std::string& error) {
  if (std::any_of(text.begin(), text.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f;
      })) {
    error = "the URL contains spaces, control or non-ASCII characters (percent-encode them)";
    return std::nullopt;
  }
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    error = "the URL must be absolute (http:// or https://)";
    return std::nullopt;
  }
  Url url;
  const std::string scheme = lower(text.substr(0, scheme_end));
  if (scheme == "https") {
    url.https = true;
  } else if (scheme != "http") {
    error = "unsupported URL scheme \"" + scheme + "\" (http and https only)";
    return std::nullopt;
  }
  std::string_view rest = text.substr(scheme_end + 3);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  const std::string_view target =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    error = "credentials in the URL are not supported (send an Authorization header)";
    return std::nullopt;
  }

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "unterminated IPv6 address in the URL";
      return std::nullopt;
    }
    const auto host = authority.substr(1, close - 1);
    if (host.empty() || !std::all_of(host.begin(), host.end(), is_ipv6_char)) {
      error = "invalid IPv6 address in the URL";
      return std::nullopt;
    }
    url.host = lower(host);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        error = "invalid characters after the IPv6 address in the URL";
        return std::nullopt;
      }
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    const auto host = authority.substr(0, colon);
    if (!std::all_of(host.begin(), host.end(), is_reg_name_char)) {
      error = "invalid host name in the URL";
      return std::nullopt;
    }
    url.host = lower(host);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  while (!url.host.empty() && url.host.back() == '.') url.host.pop_back();  // "example.com."
  if (url.host.empty()) {
    error = "the URL has no host";
    return std::nullopt;
  }

  url.port = url.https ? 443 : 80;
  if (!port_text.empty()) {
    unsigned long port = 0;
    if (port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
        (port = std::stoul(std::string(port_text))) == 0 || port > 65535) {
      error = "invalid port in the URL";
      return std::nullopt;
    }
    url.port = static_cast<std::uint16_t>(port);
  }

  url.target =
      target.empty() || target.front() == '?' ? "/" + std::string(target) : std::string(target);
  return url;
}

}  // namespace agent_host::http_client
