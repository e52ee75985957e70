#include "anthropic/anthropic_stream.hpp"

#include <agent_sdk/json_codec.hpp>

#include "anthropic/anthropic_error.hpp"
#include "common/json_fields.hpp"
#include "common/upstream_error.hpp"

namespace providers::anthropic {

using agent_sdk::Json;

namespace {

constexpr std::size_t kMaxOpenBlocks = 1024;

UpstreamError out_of_order(const std::string& what) {
  return malformed("anthropic", "the event stream is out of order: " + what);
}

}  // namespace

void EventStream::on_event(const agent_sdk::SseEvent& event) {
  if (done_) return;
  const Json data = agent_sdk::try_parse_json(event.data);
  if (data.is_discarded() || !data.is_object()) {
    throw malformed("anthropic", "a streamed event is not a JSON object");
  }
  // The payload's own "type" is authoritative; the SSE event name repeats it.
  std::string type = string_field(data, "type");
  if (type.empty()) type = event.event;

  if (type == "error") {
    const auto error = data.find("error");
    const Json& detail = error != data.end() ? *error : data;
    throw error_for_type(string_field(detail, "type"), string_field(detail, "message"));
  }
  if (type == "ping") return;
  if (type == "message_start") {
    if (started_) throw out_of_order("a second message_start");
    started_ = true;
    const auto message = data.find("message");
    if (message != data.end() && message->is_object()) {
      completion_.model = string_field(*message, "model");
      if (const auto usage = message->find("usage"); usage != message->end()) usage_.merge(*usage);
    }
    return;
  }
  const bool known = type == "content_block_start" || type == "content_block_delta" ||
                     type == "content_block_stop" || type == "message_delta" ||
                     type == "message_stop";
  if (!known) return;  // Anthropic may add event types; they are to be ignored
  if (!started_) throw out_of_order(type + " before message_start");
  if (type == "content_block_start") {
    on_block_start(data);
  } else if (type == "content_block_delta") {
    on_block_delta(data);
  } else if (type == "content_block_stop") {
    on_block_stop(data);
  } else if (type == "message_delta") {
    if (const auto delta = data.find("delta"); delta != data.end() && delta->is_object()) {
      const std::string reason = string_field(*delta, "stop_reason");
      if (!reason.empty()) stop_reason_ = reason;
    }
    if (const auto usage = data.find("usage"); usage != data.end()) usage_.merge(*usage);
  } else {  // message_stop
    if (!open_.empty()) throw out_of_order("message_stop with a content block still open");
    done_ = true;
  }
}

EventStream::Block& EventStream::open_block(const Json& event) {
  const auto index = integer_field(event, "index");
  if (!index) throw malformed("anthropic", "a content block event has no index");
  const auto it = open_.find(*index);
  if (it == open_.end()) {
    throw out_of_order("content block " + std::to_string(*index) + " is not open");
  }
  return it->second;
}

void EventStream::on_block_start(const Json& event) {
  const auto index = integer_field(event, "index");
  if (!index) throw malformed("anthropic", "content_block_start has no index");
  if (open_.count(*index) != 0) {
    throw out_of_order("content block " + std::to_string(*index) + " started twice");
  }
  if (open_.size() >= kMaxOpenBlocks) throw malformed("anthropic", "too many open content blocks");
  const auto found = event.find("content_block");
  const Json& source = found != event.end() ? *found : event;
  Block block;
  const std::string kind = string_field(source, "type");
  if (kind == "text") {
    block.kind = Block::Kind::text;
    // The start event may already carry text (it is "" in practice).
    const std::string text = string_field(source, "text");
    completion_.text += text;
    emitter_.text(text);
  } else if (kind == "tool_use") {
    block.kind = Block::Kind::tool_use;
    block.id = string_field(source, "id");
    block.name = string_field(source, "name");
    if (block.id.empty() || block.name.empty()) {
      throw malformed("anthropic", "a tool_use block has no id or name");
    }
    if (completion_.tool_calls.size() + 1 > max_tool_calls_) {
      throw UpstreamError(
          AGENT_ERR_UPSTREAM,
          "anthropic: the answer has more than " + std::to_string(max_tool_calls_) + " tool calls",
          false);
    }
    // A start event may carry the whole input (non-empty) instead of deltas.
    const auto input = source.find("input");
    if (input != source.end() && input->is_object() && !input->empty()) block.json = input->dump();
  }
  open_.emplace(*index, std::move(block));
}

void EventStream::on_block_delta(const Json& event) {
  Block& block = open_block(event);
  const auto found = event.find("delta");
  if (found == event.end() || !found->is_object()) {
    throw malformed("anthropic", "content_block_delta has no delta");
  }
  const Json& delta = *found;
  const std::string kind = string_field(delta, "type");
  // Blocks of other types (thinking, server tools) take their own deltas, which are not part of
  // the canonical answer; only a delta that contradicts its block's type is an error.
  if (kind == "text_delta") {
    if (block.kind == Block::Kind::tool_use) throw out_of_order("text_delta in a tool_use block");
    if (block.kind != Block::Kind::text) return;
    const std::string text = string_field(delta, "text");
    completion_.text += text;
    emitter_.text(text);
  } else if (kind == "input_json_delta") {
    if (block.kind == Block::Kind::text) throw out_of_order("input_json_delta in a text block");
    if (block.kind != Block::Kind::tool_use) return;
    block.json += string_field(delta, "partial_json");
  }
  // thinking_delta, signature_delta, citations_delta...: not part of the canonical answer.
}

void EventStream::on_block_stop(const Json& event) {
  const auto index = integer_field(event, "index");
  Block& block = open_block(event);
  if (block.kind == Block::Kind::tool_use) {
    ToolCall call{block.id, block.name, block.json.empty() ? "{}" : block.json};
    // Normalised when it parses; a cut input (max_tokens hit mid-call) passes through as sent,
    // and finish_reason "length" tells the host not to run it.
    const Json parsed = agent_sdk::try_parse_json(call.arguments);
    if (!parsed.is_discarded()) call.arguments = agent_sdk::dump_json(parsed);
    emitter_.tool_call(completion_.tool_calls.size(), call);
    completion_.tool_calls.push_back(std::move(call));
  }
  open_.erase(*index);
}

Completion EventStream::finish(const std::string& requested_model) const {
  if (!done_) throw malformed("anthropic", "the event stream ended before message_stop");
  Completion completion = completion_;
  if (completion.model.empty()) completion.model = requested_model;
  completion.usage = usage_.to_usage();
  completion.finish_reason = finish_reason_of(stop_reason_, !completion.tool_calls.empty());
  return completion;
}

}  // namespace providers::anthropic
