#include "http_client/proxy_rules.h"

#include <catch2/catch.hpp>

using namespace agent_host::http_client;

namespace {

bool bypass(const std::string& no_proxy, const std::string& host) {
  return bypasses_proxy(parse_no_proxy(no_proxy), host);
}

Url url(const std::string& text) {
  std::string error;
  auto parsed = parse_url(text, error);
  REQUIRE(parsed);
  return *parsed;
}

}  // namespace

TEST_CASE("NO_PROXY matches exact hosts, domain suffixes with or without a dot, and *",
          "[http_client][proxy]") {
  CHECK(bypass("example.com", "example.com"));
  CHECK(bypass("example.com", "api.example.com"));
  CHECK(bypass(".example.com", "api.example.com"));
  CHECK(bypass(".example.com", "example.com"));
  CHECK(bypass("*.example.com", "a.b.example.com"));
  CHECK_FALSE(bypass("example.com", "badexample.com"));
  CHECK_FALSE(bypass("example.com", "example.com.evil.net"));
  CHECK_FALSE(bypass("api.example.com", "example.com"));
  CHECK(bypass("*", "anything.at.all"));
  CHECK_FALSE(bypass("", "example.com"));
}

TEST_CASE("NO_PROXY entries ignore case, spaces, ports and trailing dots", "[http_client][proxy]") {
  CHECK(bypass(" foo.org , Example.COM:8443 ", "EXAMPLE.com"));
  CHECK(bypass("example.com.", "api.example.com."));
  CHECK(bypass("localhost,127.0.0.1", "127.0.0.1"));
  CHECK(bypass("127.0.0.1:8080", "127.0.0.1"));
  CHECK_FALSE(bypass("127.0.0.1", "127.0.0.10"));
  CHECK(bypass("[::1]:8080", "::1"));
  CHECK(bypass("::1", "[::1]"));
  CHECK(parse_no_proxy(",, ,").empty());
}

TEST_CASE("the proxy is chosen by the URL's scheme and NO_PROXY", "[http_client][proxy]") {
  const ProxyRules rules(
      ProxySettings{"http://plain.proxy:3128", "http://u:p@tls.proxy:8080", "internal.corp"});
  const auto plain = rules.choose(url("http://api.example.com/x"));
  REQUIRE(plain.proxy != nullptr);
  CHECK(plain.proxy->host_port() == "plain.proxy:3128");
  CHECK(plain.proxy->authorization.empty());
  const auto tls = rules.choose(url("https://api.example.com/x"));
  REQUIRE(tls.proxy != nullptr);
  CHECK(tls.proxy->host_port() == "tls.proxy:8080");
  CHECK(tls.proxy->authorization == "Basic dTpw");
  CHECK(rules.choose(url("https://git.internal.corp/")).proxy == nullptr);
  CHECK(rules.warnings().empty());

  const ProxyRules only_http(ProxySettings{"proxy.local", "", ""});  // no scheme: http, port 80
  REQUIRE(only_http.choose(url("http://a/")).proxy != nullptr);
  CHECK(only_http.choose(url("http://a/")).proxy->host_port() == "proxy.local:80");
  CHECK(only_http.choose(url("https://a/")).proxy == nullptr);
}

TEST_CASE("an unsupported proxy URL is reported without its credentials", "[http_client][proxy]") {
  const ProxyRules rules(ProxySettings{"", "socks5://user:hunter2@proxy:1080", ""});
  REQUIRE(rules.warnings().size() == 1);
  CHECK_THAT(rules.warnings()[0], Catch::Contains("https_proxy") && !Catch::Contains("hunter2"));
  const auto choice = rules.choose(url("https://api.example.com/"));
  CHECK(choice.proxy == nullptr);
  CHECK_FALSE(choice.error.empty());
}
