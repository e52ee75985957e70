#include "common/upstream_error.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace providers;
using agent_sdk::Json;
using std::chrono::milliseconds;

namespace {

const std::string kOpenAiError =
    R"({"error": {"message": "Invalid 'messages[1].content'", "type": "invalid_request_error"}})";

}  // namespace

TEST_CASE("401 and 403 say the key was rejected and never quote the upstream",
          "[plugins][providers][errors]") {
  const std::string body =
      R"({"error": {"message": "Incorrect API key provided: sk-abc***xyz", "type": "invalid_request_error"}})";
  for (const int status : {401, 403}) {
    const UpstreamError e = error_for_status("openai", status, body, std::nullopt);
    CHECK(e.code() == AGENT_ERR_UPSTREAM);
    CHECK_FALSE(e.retryable());
    CHECK(e.http_status() == status);
    CHECK(std::string(e.what()) ==
          "openai: upstream rejected the API key (HTTP " + std::to_string(status) + ")");
  }
}

TEST_CASE("400, 404 and 422 are not retryable and quote the upstream's message",
          "[plugins][providers][errors]") {
  for (const int status : {400, 404, 413, 422}) {
    const UpstreamError e = error_for_status("openai", status, kOpenAiError, std::nullopt);
    CHECK(e.code() == AGENT_ERR_UPSTREAM);
    CHECK_FALSE(e.retryable());
    CHECK(std::string(e.what()) == "openai: upstream refused the request (HTTP " +
                                       std::to_string(status) + "): Invalid 'messages[1].content'");
  }
}

TEST_CASE("429, 5xx and 529 are UNAVAILABLE and retryable, keeping Retry-After",
          "[plugins][providers][errors]") {
  for (const int status : {408, 429, 500, 502, 503, 504, 529}) {
    const UpstreamError e = error_for_status(
        "anthropic", status,
        R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})",
        milliseconds(1500));
    INFO(status);
    CHECK(e.code() == AGENT_ERR_UNAVAILABLE);
    CHECK(e.retryable());
    CHECK(e.retry_after() == milliseconds(1500));
    CHECK(std::string(e.what()) ==
          "anthropic: upstream unavailable (HTTP " + std::to_string(status) + "): Overloaded");
  }
}

TEST_CASE("an exhausted quota (429 insufficient_quota) is not worth retrying",
          "[plugins][providers][errors]") {
  const UpstreamError e = error_for_status(
      "openai", 429,
      R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}})",
      std::nullopt);
  CHECK(e.code() == AGENT_ERR_UPSTREAM);
  CHECK_FALSE(e.retryable());
  CHECK_THAT(e.what(), Catch::Contains("quota exhausted (HTTP 429): You exceeded"));
}

TEST_CASE("other statuses are UPSTREAM and not retryable", "[plugins][providers][errors]") {
  const UpstreamError redirect = error_for_status("openai", 302, "", std::nullopt);
  CHECK(redirect.code() == AGENT_ERR_UPSTREAM);
  CHECK_FALSE(redirect.retryable());
  CHECK(std::string(redirect.what()) == "openai: unexpected answer from upstream (HTTP 302)");
  CHECK_FALSE(error_for_status("openai", 418, "", std::nullopt).retryable());
}

TEST_CASE("the upstream's message is found in the usual error shapes",
          "[plugins][providers][errors]") {
  CHECK(upstream_message(kOpenAiError) == "Invalid 'messages[1].content'");
  CHECK(upstream_message(R"({"error": "model 'llama9' not found"})") == "model 'llama9' not found");
  CHECK(upstream_message(R"({"detail": "Not Found"})") == "Not Found");
  CHECK(upstream_message(R"({"message": "bad"})") == "bad");
  CHECK(upstream_message(R"({"something": "else"})").empty());
  CHECK(upstream_message("upstream connect error\r\n") == "upstream connect error  ");
  CHECK(upstream_message("<html><body>502 Bad Gateway</body></html>").empty());
  CHECK(upstream_message("").empty());
}

TEST_CASE("quoted messages are bounded, valid UTF-8 and free of control characters",
          "[plugins][providers][errors]") {
  const std::string long_message(5000, 'x');
  const std::string quoted = upstream_message(Json{{"error", {{"message", long_message}}}}.dump());
  CHECK(quoted.size() <= 400);
  CHECK_THAT(quoted, Catch::EndsWith("..."));
  // A cut never splits a multi-byte sequence.
  std::string accents;
  for (int i = 0; i < 300; ++i) accents += "\xC3\xA9";  // é
  const std::string cut = bounded_text(accents, 11);
  CHECK(cut == "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9...");
  CHECK(bounded_text("a\x01\x1b[31mb\x7f", 100) == "a  [31mb ");
  // Bytes that are not UTF-8 become '?', so the message can always go into JSON.
  const std::string mangled = bounded_text("ok \xC3 \xED\xA0\x80 \xF5", 100);
  CHECK(mangled == "ok ? ??? ?");
  CHECK_NOTHROW(Json(mangled).dump());
  CHECK(bounded_text("short", 5) == "short");
}

TEST_CASE("a malformed answer is a retryable UPSTREAM error", "[plugins][providers][errors]") {
  const UpstreamError e = malformed("openai", "the event stream ended before [DONE]");
  CHECK(e.code() == AGENT_ERR_UPSTREAM);
  CHECK(e.retryable());
  CHECK(e.http_status() == 0);
  CHECK(std::string(e.what()) == "openai: the event stream ended before [DONE]");
}
