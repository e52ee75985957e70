// JSON that crosses the plugin boundary from third-party code into the host: manifests,
// provider deltas and replies, tool results. Any text in: a parsed value or the documented
// refusal, never another exception (an escaped nlohmann type_error would fail a whole turn).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>

#include "agents/provider_reply.h"
#include "agents/tool_result_text.h"
#include "plugins/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace agents = agent_host::agents;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    agent_host::plugins::parse_manifest(text);
  } catch (const std::invalid_argument&) {
  }
  if (const auto delta = agents::parse_provider_delta(text)) {
    if (delta->kind == agents::ProviderDelta::Kind::tool_call && !delta->tool_call.is_object()) {
      __builtin_trap();
    }
  }
  try {
    const auto reply = agents::parse_provider_reply(text);
    if (!reply.content && reply.tool_calls.empty()) __builtin_trap();
    if (reply.prompt_tokens < 0 || reply.completion_tokens < 0 || reply.total_tokens < 0) {
      __builtin_trap();
    }
  } catch (const agents::InvalidProviderReply&) {
  }
  const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  if (!parsed.is_discarded()) {
    const nlohmann::json content = parsed.is_object() ? parsed.value("content", parsed) : parsed;
    agents::tool_result_text(content, parsed);
  }
  return 0;
}
