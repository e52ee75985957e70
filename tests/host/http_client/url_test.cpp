#include "http_client/url.h"

#include <catch2/catch.hpp>

using namespace agent_host::http_client;

namespace {

Url parse(const std::string& text) {
  std::string error;
  auto url = parse_url(text, error);
  INFO(error);
  REQUIRE(url);
  return *url;
}

std::string refusal(const std::string& text) {
  std::string error;
  CHECK_FALSE(parse_url(text, error));
  return error;
}

}  // namespace

TEST_CASE("URLs give the host, port and request target", "[http_client][url]") {
  auto url = parse("https://API.OpenAI.com/v1/chat/completions?x=1#frag");
  CHECK(url.https);
  CHECK(url.host == "api.openai.com");
  CHECK(url.port == 443);
  CHECK(url.target == "/v1/chat/completions?x=1");
  CHECK(url.authority() == "api.openai.com");
  CHECK(url.absolute() == "https://api.openai.com/v1/chat/completions?x=1");
  CHECK(url.for_log() == "https://api.openai.com/v1/chat/completions?...");

  url = parse("http://127.0.0.1:8080");
  CHECK(url.target == "/");
  CHECK(url.authority() == "127.0.0.1:8080");
  url = parse("http://h?q");
  CHECK(url.target == "/?q");

  url = parse("http://[::1]:9000/a");
  CHECK(url.host == "::1");
  CHECK(url.host_port() == "[::1]:9000");
}

TEST_CASE("URLs that are not absolute http(s) are refused without echoing them",
          "[http_client][url]") {
  CHECK_THAT(refusal("ftp://x/"), Catch::Contains("scheme"));
  CHECK_THAT(refusal("example.com/x"), Catch::Contains("absolute"));
  CHECK_THAT(refusal("http://:80/"), Catch::Contains("no host"));
  CHECK_THAT(refusal("http://h:0/"), Catch::Contains("port"));
  CHECK_THAT(refusal("http://h:65536/"), Catch::Contains("port"));
  CHECK_THAT(refusal("http://h/a b"), Catch::Contains("spaces"));
  CHECK_THAT(refusal("http://h/\xc3\xa9"), Catch::Contains("non-ASCII"));
  CHECK_THAT(refusal("http://[::1/"), Catch::Contains("IPv6"));
  const std::string credentials = refusal("https://me:topsecret@h/");
  CHECK_THAT(credentials, Catch::Contains("credentials") && !Catch::Contains("topsecret"));
}
