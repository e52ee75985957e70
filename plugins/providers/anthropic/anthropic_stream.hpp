// The state machine of one streamed Messages API answer, fed event by event:
//   message_start -> (content_block_start -> content_block_delta* -> content_block_stop)*
//   -> message_delta* -> message_stop, with ping and unknown events anywhere (ignored).
// Text deltas are emitted as they arrive; a tool_use block's input_json_delta pieces are joined
// and the tool call emitted at its content_block_stop. An "error" event throws, mapped by its
// type. Thinking and other block types are skipped.
#pragma once

#include <agent_sdk/sse.hpp>
#include <cstdint>
#include <map>
#include <string>

#include "anthropic/anthropic_response.hpp"
#include "common/completion.hpp"
#include "common/delta_emitter.hpp"
#include "common/limits.hpp"

namespace providers::anthropic {

class EventStream {
 public:
  explicit EventStream(DeltaEmitter& emitter, std::size_t max_tool_calls = kMaxToolCalls)
      : emitter_(emitter), max_tool_calls_(max_tool_calls) {}

  // Throws UpstreamError: malformed JSON or an event out of order (retryable), an error event
  // (per its type), too many tool calls (not retryable). Events after message_stop are ignored.
  void on_event(const agent_sdk::SseEvent& event);

  bool done() const noexcept { return done_; }

  // The completion; throws a retryable UpstreamError when message_stop never came.
  Completion finish(const std::string& requested_model) const;

 private:
  struct Block {
    enum class Kind { text, tool_use, other } kind = Kind::other;
    std::string id;
    std::string name;
    std::string json;  // input_json_delta pieces so far
  };

  void on_block_start(const agent_sdk::Json& event);
  void on_block_delta(const agent_sdk::Json& event);
  void on_block_stop(const agent_sdk::Json& event);
  Block& open_block(const agent_sdk::Json& event);

  DeltaEmitter& emitter_;
  std::size_t max_tool_calls_;
  std::map<std::int64_t, Block> open_;  // by the event's content block index
  Completion completion_;
  UsageCounters usage_;
  std::string stop_reason_;
  bool started_ = false;
  bool done_ = false;
};

}  // namespace providers::anthropic
