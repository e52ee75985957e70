#include "common/transport_config.hpp"

#include <catch2/catch.hpp>

#include "common/config_reader.hpp"

using namespace providers;
using agent_sdk::Json;
using std::chrono::milliseconds;

namespace {

TransportConfig read(const Json& config, const std::vector<std::string>& reserved = {}) {
  const ConfigReader reader(config, "p config", transport_keys());
  return read_transport_config(reader, "https://example.test/v1", "p_key", reserved);
}

std::string refusal(const Json& config, const std::vector<std::string>& reserved = {}) {
  try {
    read(config, reserved);
  } catch (const agent_sdk::Error& e) {
    CHECK(e.code() == AGENT_ERR_INVALID_INPUT);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("transport settings default sensibly", "[plugins][providers][config]") {
  const TransportConfig config = read(Json::object());
  CHECK(config.base_url == "https://example.test/v1");
  CHECK(config.api_key_secret == "p_key");
  CHECK(config.headers.empty());
  CHECK(config.timeouts.connect == milliseconds(0));
  CHECK(config.timeouts.total == milliseconds(0));
  CHECK(config.retry.max_attempts == 3);
  CHECK(config.retry.initial_backoff == milliseconds(500));
  CHECK(config.retry.max_backoff == milliseconds(8000));
}

TEST_CASE("transport settings are read and a trailing slash is dropped",
          "[plugins][providers][config]") {
  const TransportConfig config = read({{"base_url", "http://127.0.0.1:11434/v1/"},
                                       {"api_key_secret", "ollama.key"},
                                       {"headers", {{"OpenAI-Organization", "org-1"}}},
                                       {"connect_timeout_ms", 1000},
                                       {"first_byte_timeout_ms", 2000},
                                       {"idle_timeout_ms", 3000},
                                       {"total_timeout_ms", 4000},
                                       {"retry", {{"max_attempts", 1}}}});
  CHECK(config.base_url == "http://127.0.0.1:11434/v1");
  CHECK(config.api_key_secret == "ollama.key");
  CHECK(config.headers == agent_sdk::HttpHeaders{{"OpenAI-Organization", "org-1"}});
  CHECK(config.timeouts.connect == milliseconds(1000));
  CHECK(config.timeouts.first_byte == milliseconds(2000));
  CHECK(config.timeouts.idle == milliseconds(3000));
  CHECK(config.timeouts.total == milliseconds(4000));
  CHECK(config.retry.max_attempts == 1);

  const agent_sdk::HttpRequest request = json_post(config, "http://x/y", "{}", true, 42);
  CHECK(request.method == "POST");
  CHECK(request.call_id == 42);
  CHECK(request.total_timeout == milliseconds(4000));
  CHECK(request.headers == agent_sdk::HttpHeaders{{"content-type", "application/json"},
                                                  {"accept", "text/event-stream"},
                                                  {"OpenAI-Organization", "org-1"}});
}

TEST_CASE("bad transport settings are refused naming the key", "[plugins][providers][config]") {
  CHECK_THAT(
      refusal({{"base_url", "ftp://x"}}),
      Catch::StartsWith("p config: \"base_url\" must be an absolute http:// or https:// URL"));
  CHECK_THAT(refusal({{"base_url", "https://"}}), Catch::Contains("\"base_url\""));
  CHECK_THAT(refusal({{"base_url", "https://x/v1?key=1"}}), Catch::Contains("\"base_url\""));
  CHECK_THAT(refusal({{"base_url", "https://x y"}}), Catch::Contains("\"base_url\""));
  CHECK_THAT(refusal({{"base_url", 5}}),
             Catch::Contains("\"base_url\" must be a non-empty string"));
  CHECK_THAT(refusal({{"api_key_secret", "my key"}}),
             Catch::Contains("\"api_key_secret\" must be a secret name"));
  CHECK_THAT(refusal({{"headers", "x"}}), Catch::Contains("\"headers\" must be an object"));
  CHECK_THAT(refusal({{"headers", {{"X-A", 1}}}}),
             Catch::Contains("value of \"X-A\" must be a string"));
  CHECK_THAT(refusal({{"headers", {{"Bad Name", "v"}}}}), Catch::Contains("invalid header name"));
  CHECK_THAT(refusal({{"headers", {{"X-A", "a\r\nInjected: 1"}}}}), Catch::Contains("line breaks"));
  CHECK_THAT(refusal({{"headers", {{"Authorization", "Bearer sk-1"}}}}),
             Catch::Contains("must not set \"Authorization\": the key comes from the host secret"));
  CHECK_THAT(refusal({{"headers", {{"x-api-key", "k"}}}}),
             Catch::Contains("must not set \"x-api-key\""));
  CHECK_THAT(refusal({{"headers", {{"Content-Type", "text/plain"}}}}),
             Catch::Contains("the plugin sets it"));
  CHECK_THAT(refusal({{"headers", {{"Anthropic-Version", "1"}}}}, {"anthropic-version"}),
             Catch::Contains("the plugin sets it"));
  CHECK_THAT(refusal({{"idle_timeout_ms", -1}}),
             Catch::Contains("\"idle_timeout_ms\" must be an integer from 0"));
  CHECK_THAT(refusal({{"total_timeout_ms", "10s"}}),
             Catch::Contains("\"total_timeout_ms\" must be an integer"));
  CHECK_THAT(refusal({{"retry", {{"max_attempts", 11}}}}),
             Catch::Contains("p config: retry: \"max_attempts\" must be an integer from 1 to 10"));
}

TEST_CASE("the config reader refuses unknown keys and lists the allowed ones",
          "[plugins][providers][config]") {
  CHECK_THROWS_WITH(ConfigReader(Json{{"modle", "x"}}, "p config", {"model", "stream"}),
                    "p config: unknown key \"modle\" (allowed: model, stream)");
  CHECK_THROWS_WITH(ConfigReader(Json::array(), "p config", {}), "p config must be a JSON object");
  const ConfigReader reader(Json{{"n", 5}, {"b", "yes"}, {"f", 0.5}}, "p config", {"n", "b", "f"});
  CHECK(reader.integer("n", 1, 10) == 5);
  CHECK_THROWS_WITH(reader.integer("n", 6, 10), "p config: \"n\" must be an integer from 6 to 10");
  CHECK_THROWS_WITH(reader.boolean("b"), "p config: \"b\" must be true or false");
  CHECK(reader.number("f", 0, 1) == 0.5);
  CHECK_THROWS_WITH(reader.number("f", 1, 2), "p config: \"f\" must be a number from 1.0 to 2.0");
  CHECK_FALSE(reader.string("absent").has_value());
}
