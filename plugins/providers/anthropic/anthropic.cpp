// anthropic: a provider for Anthropic's Messages API. The network goes only through the host's
// HTTP client and the key only through the host's secrets (required: create() fails without
// it); the answer streams as text deltas, tool_use blocks become canonical tool calls, and
// retryable failures (429, 5xx, 529, overloaded_error) are retried with backoff as long as
// nothing was streamed yet.
#include <agent_sdk/http.hpp>
#include <agent_sdk/plugin.hpp>

#include "anthropic/anthropic_config.hpp"
#include "anthropic/anthropic_request.hpp"
#include "anthropic/anthropic_response.hpp"
#include "anthropic/anthropic_stream.hpp"
#include "common/canonical_input.hpp"
#include "common/provider_call.hpp"
#include "common/upstream_exchange.hpp"

namespace {

using agent_sdk::Error;
using agent_sdk::Json;
using namespace providers;
using namespace providers::anthropic;

constexpr const char kManifest[] = R"json({
  "description": "Anthropic provider: the Messages API (Claude). Streams text, turns tool_use blocks into tool calls, retries with backoff. Network through the host's HTTP client (ABI 1.1), key from the host's secrets (required).",
  "capabilities": ["complete", "streaming", "tool_calls", "network"],
  "config_schema": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "base_url": {"type": "string", "default": "https://api.anthropic.com",
        "description": "API root; /v1/messages is appended"},
      "api_key_secret": {"type": "string", "default": "anthropic_api_key",
        "description": "Name of the host secret holding the key; create() fails when the host has no such secret"},
      "anthropic_version": {"type": "string", "default": "2023-06-01",
        "description": "Sent as the anthropic-version header"},
      "model": {"type": "string", "default": "claude-sonnet-4-5", "description": "Overridden per call by options.model"},
      "max_tokens": {"type": "integer", "minimum": 1, "default": 1024,
        "description": "Required by the API; overridden per call by options.max_tokens"},
      "temperature": {"type": "number", "minimum": 0, "maximum": 1},
      "stream": {"type": "boolean", "default": true},
      "headers": {"type": "object", "additionalProperties": {"type": "string"},
        "description": "Extra static headers, e.g. anthropic-beta; never keys (x-api-key)"},
      "connect_timeout_ms": {"type": "integer", "minimum": 0, "description": "0: the host's default"},
      "first_byte_timeout_ms": {"type": "integer", "minimum": 0},
      "idle_timeout_ms": {"type": "integer", "minimum": 0},
      "total_timeout_ms": {"type": "integer", "minimum": 0},
      "retry": {"type": "object", "additionalProperties": false, "properties": {
        "max_attempts": {"type": "integer", "minimum": 1, "maximum": 10, "default": 3},
        "initial_backoff_ms": {"type": "integer", "minimum": 0, "maximum": 60000, "default": 500},
        "max_backoff_ms": {"type": "integer", "minimum": 0, "maximum": 300000, "default": 8000}}}
    }
  }
})json";

class Anthropic final : public agent_sdk::Provider {
 public:
  static constexpr uint32_t kFlags = AGENT_PLUGIN_FLAG_THREAD_SAFE;

  Anthropic(agent_sdk::Host host, const Json& config)
      : Provider(host), config_(parse_config(config)), http_(host) {
    if (!host.secret(config_.transport.api_key_secret)) {
      throw Error(AGENT_ERR_INVALID_INPUT, missing_secret());
    }
    if (!http_.available()) {
      host.log(agent_sdk::LogLevel::warn,
               "anthropic: this host offers no HTTP client; calls will fail until it does");
    }
  }

  // Immutable after construction; everything per call lives on this stack frame.
  Json complete(const Json& input, agent_sdk::Call& call) override {
    require_http_client(http_, "anthropic");
    const CompletionInput parsed = parse_completion_input(input, kMaxTemperature);
    const ModelSettings settings = apply(config_.defaults, parsed.options);
    const Json body = build_body(config_, settings, parsed);
    // Read per call so a rotated key applies; it may have gone since create().
    const auto key = host().secret(config_.transport.api_key_secret);
    if (!key) throw Error(AGENT_ERR_UNAVAILABLE, missing_secret());
    const agent_sdk::HttpRequest request = build_request(config_, body, *key, call.id());

    const Completion completion =
        run_call("anthropic", host(), call, config_.transport.retry, [&](DeltaEmitter& emitter) {
          EventStream stream(emitter);
          const ExchangeOutcome outcome = exchange(
              http_, request, "anthropic", ExchangeLimits{},
              [&](const agent_sdk::SseEvent& event) { stream.on_event(event); },
              [&call] { return call.cancelled(); });
          if (outcome.streamed) return stream.finish(settings.model);
          Completion whole =
              parse_response(parse_json_body(outcome.body, "anthropic"), settings.model);
          emitter.completion(whole);
          return whole;
        });
    return completion.to_result();
  }

 private:
  std::string missing_secret() const {
    return "anthropic config: the host has no secret named \"" + config_.transport.api_key_secret +
           "\" (configure it in the host's secrets, or name another with \"api_key_secret\")";
  }

  const Config config_;
  const agent_sdk::HttpClient http_;
};

}  // namespace

AGENT_SDK_EXPORT_PLUGIN(Anthropic, "anthropic", "1.0.0", kManifest)
