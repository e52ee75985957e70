// Reading what a provider plugin sends back across the ABI: streamed deltas and the final
// result (agent_plugin.h, "complete"). Plugins are third-party code, so every field is checked
// for its type; a wrong type is treated as absent or as an invalid reply, never an exception
// from deep inside the JSON library.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace agent_host::agents {

struct ProviderDelta {
  enum class Kind { text, tool_call, other };
  Kind kind = Kind::other;
  std::string text;          // kind == text
  nlohmann::json tool_call;  // kind == tool_call: {"id","name","arguments"}
};

// Nothing when the delta is not a JSON object (it is skipped, not fatal).
std::optional<ProviderDelta> parse_provider_delta(std::string_view json);

struct ProviderReply {
  std::optional<std::string> content;                   // absent when the reply only calls tools
  nlohmann::json tool_calls = nlohmann::json::array();  // non-empty array, or empty
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t total_tokens = 0;  // prompt + completion when the provider left it out
  std::optional<std::string> model;
  std::optional<std::string> finish_reason;
};

class InvalidProviderReply : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws InvalidProviderReply ("returned invalid JSON", "returned no message", "returned no
// message content") for a reply the turn cannot use.
ProviderReply parse_provider_reply(std::string_view json);

}  // namespace agent_host::agents
