#include "common/delta_emitter.hpp"

#include <string>

namespace providers {

using agent_sdk::Json;

void DeltaEmitter::emit(const Json& delta) {
  // Counted as out before the sink returns: the host may have forwarded it either way.
  emitted_ = true;
  if (!sink_(delta)) {
    throw agent_sdk::Error(AGENT_ERR_CANCELLED, "the host stopped reading the stream");
  }
}

void DeltaEmitter::text(std::string_view text) {
  if (text.empty()) return;
  emit({{"type", "text"}, {"text", std::string(text)}});
}

void DeltaEmitter::tool_call(std::size_t index, const ToolCall& call) {
  emit({{"type", "tool_call"},
        {"index", index},
        {"id", call.id},
        {"name", call.name},
        {"arguments", call.arguments}});
}

void DeltaEmitter::completion(const Completion& completion) {
  text(completion.text);
  for (std::size_t i = 0; i < completion.tool_calls.size(); ++i) {
    tool_call(i, completion.tool_calls[i]);
  }
}

}  // namespace providers
