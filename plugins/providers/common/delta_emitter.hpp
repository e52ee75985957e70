// Streams a call's deltas to the host and remembers whether anything went out: once it has, a
// failed call must not be retried (the client would see the answer twice).
#pragma once

#include <agent_sdk/plugin.hpp>
#include <cstddef>
#include <functional>
#include <string_view>
#include <utility>

#include "common/completion.hpp"

namespace providers {

class DeltaEmitter {
 public:
  // `sink` forwards one delta (Call::emit_delta) and returns false when the host wants no more.
  using Sink = std::function<bool(const agent_sdk::Json&)>;
  explicit DeltaEmitter(Sink sink) : sink_(std::move(sink)) {}

  // {"type": "text", "text"}; nothing for empty text.
  void text(std::string_view text);
  // {"type": "tool_call", "index", "id", "name", "arguments"}
  void tool_call(std::size_t index, const ToolCall& call);
  // The text and the tool calls of a completion that arrived whole (a non-streamed answer).
  void completion(const Completion& completion);

  bool emitted() const noexcept { return emitted_; }

 private:
  // Throws AGENT_ERR_CANCELLED when the host refuses the delta.
  void emit(const agent_sdk::Json& delta);

  Sink sink_;
  bool emitted_ = false;
};

}  // namespace providers
