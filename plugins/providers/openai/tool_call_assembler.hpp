// Assembles the tool calls of a streamed Chat Completion from their fragments
// (choices[0].delta.tool_calls[*] = {"index", "id"?, "function": {"name"?, "arguments"?}}):
// - a fragment with an id starts a new call, unless the call at its index already has that id
//   (some servers repeat the id on every fragment);
// - a fragment without an id appends to the latest call started at its index (or, without an
//   index, to the latest call);
// - some servers give every parallel call index 0: a new id at an index whose call has a
//   different id starts a new call, and later fragments at that index go to the new one.
#pragma once

#include <agent_sdk/plugin.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/completion.hpp"
#include "common/limits.hpp"

namespace providers::openai {

class ToolCallAssembler {
 public:
  explicit ToolCallAssembler(std::size_t max_calls = kMaxToolCalls) : max_calls_(max_calls) {}

  // Applies one fragment. Throws UpstreamError when it is not an object or the message would
  // hold more than max_calls calls.
  void apply(const agent_sdk::Json& fragment);

  // The calls in the order they started. A call that never got an id gets "call_<position>";
  // empty arguments become "{}". Throws UpstreamError for a call without a name.
  std::vector<ToolCall> finish() const;

  bool empty() const noexcept { return calls_.empty(); }

 private:
  std::size_t start(const std::string& id, std::optional<std::int64_t> index);

  std::size_t max_calls_;
  std::vector<ToolCall> calls_;
  std::unordered_map<std::int64_t, std::size_t> latest_at_index_;
};

}  // namespace providers::openai
