// openai: a provider for the OpenAI Chat Completions API and every server that speaks it
// (Azure OpenAI, Ollama, vLLM, llama.cpp, LiteLLM...). The network goes only through the host's
// HTTP client and the key only through the host's secrets; the answer streams from the upstream
// as text deltas, tool calls are assembled from their fragments, and retryable failures are
// retried with backoff as long as nothing was streamed yet.
#include <agent_sdk/http.hpp>
#include <agent_sdk/plugin.hpp>

#include "common/canonical_input.hpp"
#include "common/provider_call.hpp"
#include "common/upstream_exchange.hpp"
#include "openai/openai_config.hpp"
#include "openai/openai_request.hpp"
#include "openai/openai_response.hpp"
#include "openai/openai_stream.hpp"

namespace {

using agent_sdk::Json;
using namespace providers;
using namespace providers::openai;

constexpr const char kManifest[] = R"json({
  "description": "OpenAI-compatible provider: the Chat Completions API of OpenAI, Azure OpenAI and compatible servers (Ollama, vLLM, llama.cpp). Streams text, assembles tool calls, retries with backoff. Network through the host's HTTP client (ABI 1.1), key from the host's secrets.",
  "capabilities": ["complete", "streaming", "tool_calls", "network"],
  "config_schema": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "base_url": {"type": "string", "default": "https://api.openai.com/v1",
        "description": "API root; /chat/completions is appended. For Azure: https://<resource>.openai.azure.com"},
      "api_key_secret": {"type": "string", "default": "openai_api_key",
        "description": "Name of the host secret holding the key. When the host has no such secret no Authorization header is sent (local servers need none)."},
      "azure": {"type": "object", "additionalProperties": false,
        "required": ["deployment", "api_version"],
        "properties": {"deployment": {"type": "string"}, "api_version": {"type": "string"}},
        "description": "Azure OpenAI: POST {base_url}/openai/deployments/{deployment}/chat/completions?api-version={api_version} with an api-key header; needs base_url."},
      "model": {"type": "string", "default": "gpt-4o", "description": "Overridden per call by options.model"},
      "temperature": {"type": "number", "minimum": 0, "maximum": 2},
      "max_tokens": {"type": "integer", "minimum": 1},
      "stream": {"type": "boolean", "default": true,
        "description": "Stream from the upstream (with stream_options.include_usage)"},
      "headers": {"type": "object", "additionalProperties": {"type": "string"},
        "description": "Extra static headers, e.g. OpenAI-Organization; never keys (authorization, api-key)"},
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

class OpenAi final : public agent_sdk::Provider {
 public:
  static constexpr uint32_t kFlags = AGENT_PLUGIN_FLAG_THREAD_SAFE;

  OpenAi(agent_sdk::Host host, const Json& config)
      : Provider(host), config_(parse_config(config)), http_(host) {
    if (!http_.available()) {
      host.log(agent_sdk::LogLevel::warn,
               "openai: this host offers no HTTP client; calls will fail until it does");
    }
  }

  // Immutable after construction; everything per call lives on this stack frame.
  Json complete(const Json& input, agent_sdk::Call& call) override {
    require_http_client(http_, "openai");
    const CompletionInput parsed = parse_completion_input(input, kMaxTemperature);
    const ModelSettings settings = apply(config_.defaults, parsed.options);
    const agent_sdk::HttpRequest request =
        build_request(config_, build_body(config_, settings, parsed),
                      host().secret(config_.transport.api_key_secret), call.id());

    const Completion completion =
        run_call("openai", host(), call, config_.transport.retry, [&](DeltaEmitter& emitter) {
          ChunkStream stream(emitter);
          const ExchangeOutcome outcome = exchange(
              http_, request, "openai", ExchangeLimits{},
              [&](const agent_sdk::SseEvent& event) { stream.on_event(event); },
              [&call] { return call.cancelled(); });
          if (outcome.streamed) return stream.finish(settings.model);
          Completion whole =
              parse_response(parse_json_body(outcome.body, "openai"), settings.model);
          emitter.completion(whole);
          return whole;
        });
    return completion.to_result();
  }

 private:
  const Config config_;
  const agent_sdk::HttpClient http_;
};

}  // namespace

AGENT_SDK_EXPORT_PLUGIN(OpenAi, "openai", "1.0.0", kManifest)
