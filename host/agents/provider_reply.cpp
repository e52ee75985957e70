#include "agents/provider_reply.h"

#include <agent_sdk/json_codec.hpp>

#include "agents/json_fields.h"

namespace agent_host::agents {
namespace {

// Negative or non-integer counts are a plugin bug; they count as zero rather than poison sums.
std::int64_t token_field(const nlohmann::json& usage, const char* key) {
  const auto it = usage.find(key);
  if (it == usage.end() || !it->is_number_integer()) return 0;
  const auto value = it->get<std::int64_t>();
  return value > 0 ? value : 0;
}

}  // namespace

std::optional<ProviderDelta> parse_provider_delta(std::string_view json) {
  const nlohmann::json delta = agent_sdk::try_parse_json(json);
  if (!delta.is_object()) return std::nullopt;
  ProviderDelta out;
  const std::string type = string_field(delta, "type");
  if (type == "text") {
    const auto text = delta.find("text");
    if (text == delta.end() || !text->is_string()) return out;  // other: nothing to show
    out.kind = ProviderDelta::Kind::text;
    out.text = text->get<std::string>();
  } else if (type == "tool_call") {
    out.kind = ProviderDelta::Kind::tool_call;
    out.tool_call = {{"id", string_field(delta, "id")},
                     {"name", string_field(delta, "name")},
                     {"arguments", string_field(delta, "arguments")}};
  }
  return out;
}

ProviderReply parse_provider_reply(std::string_view json) {
  const nlohmann::json result = agent_sdk::try_parse_json(json);
  if (result.is_discarded() || !result.is_object()) {
    throw InvalidProviderReply("returned invalid JSON");
  }
  const auto message = result.find("message");
  if (message == result.end() || !message->is_object()) {
    throw InvalidProviderReply("returned no message");
  }
  ProviderReply reply;
  const auto tool_calls = message->find("tool_calls");
  if (tool_calls != message->end() && tool_calls->is_array() && !tool_calls->empty()) {
    reply.tool_calls = *tool_calls;
  }
  reply.content = optional_string_field(*message, "content");
  if (!reply.content && reply.tool_calls.empty()) {
    throw InvalidProviderReply("returned no message content");
  }
  if (const auto usage = result.find("usage"); usage != result.end() && usage->is_object()) {
    reply.prompt_tokens = token_field(*usage, "prompt_tokens");
    reply.completion_tokens = token_field(*usage, "completion_tokens");
    reply.total_tokens = token_field(*usage, "total_tokens");
    if (reply.total_tokens == 0) reply.total_tokens = reply.prompt_tokens + reply.completion_tokens;
  }
  reply.model = optional_string_field(result, "model");
  reply.finish_reason = optional_string_field(result, "finish_reason");
  return reply;
}

}  // namespace agent_host::agents
