// The state of one streamed Chat Completion, fed event by event: text is emitted as it arrives,
// tool calls are assembled and emitted once the stream ends ([DONE]), usage comes from the last
// chunk (stream_options.include_usage). Only choice 0 is read (the request never asks for more).
#pragma once

#include <agent_sdk/sse.hpp>
#include <string>

#include "common/completion.hpp"
#include "common/delta_emitter.hpp"
#include "common/upstream_error.hpp"
#include "openai/tool_call_assembler.hpp"

namespace providers::openai {

class ChunkStream {
 public:
  explicit ChunkStream(DeltaEmitter& emitter) : emitter_(emitter) {}

  // One server-sent event: a chunk, an {"error"} object, or "[DONE]". Events after [DONE] are
  // ignored. Throws UpstreamError for malformed JSON (retryable) or an in-stream error.
  void on_event(const agent_sdk::SseEvent& event);

  bool done() const noexcept { return done_; }

  // The completion; throws a retryable UpstreamError when [DONE] never came (a cut stream).
  // `requested_model` stands in when no chunk named the model.
  Completion finish(const std::string& requested_model) const;

 private:
  void on_chunk(const agent_sdk::Json& chunk);

  DeltaEmitter& emitter_;
  ToolCallAssembler assembler_;
  Completion completion_;
  std::string raw_finish_reason_;
  bool done_ = false;
};

// An error object found inside a stream or a 2xx body ({"error": ...}) as an UpstreamError: not
// retryable when it carries a 4xx code (other than 408 and 429), retryable otherwise.
UpstreamError in_band_error(const agent_sdk::Json& error);

}  // namespace providers::openai
