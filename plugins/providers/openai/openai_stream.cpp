#include "openai/openai_stream.hpp"

#include <agent_sdk/json_codec.hpp>

#include "common/json_fields.hpp"
#include "common/upstream_error.hpp"
#include "openai/openai_response.hpp"

namespace providers::openai {

using agent_sdk::Json;

UpstreamError in_band_error(const Json& error) {
  const std::string message = upstream_message(Json{{"error", error}}.dump());
  int code = 0;
  if (error.is_object()) {
    const auto it = error.find("code");
    if (it != error.end() && it->is_number_integer()) code = it->get<int>();
  }
  const bool client_error = code >= 400 && code <= 499 && code != 408 && code != 429;
  return UpstreamError(
      AGENT_ERR_UPSTREAM,
      "openai: the upstream reported an error" + (message.empty() ? std::string() : ": " + message),
      !client_error);
}

void ChunkStream::on_event(const agent_sdk::SseEvent& event) {
  if (done_) return;
  if (event.data == "[DONE]") {
    const std::vector<ToolCall> calls = assembler_.finish();
    for (std::size_t i = 0; i < calls.size(); ++i) emitter_.tool_call(i, calls[i]);
    completion_.tool_calls = calls;
    done_ = true;
    return;
  }
  const Json chunk = agent_sdk::try_parse_json(event.data);
  if (chunk.is_discarded() || !chunk.is_object()) {
    throw malformed("openai", "a streamed chunk is not a JSON object");
  }
  if (const auto error = chunk.find("error"); error != chunk.end() && !error->is_null()) {
    throw in_band_error(*error);
  }
  on_chunk(chunk);
}

void ChunkStream::on_chunk(const Json& chunk) {
  if (const auto model = chunk.find("model");
      model != chunk.end() && model->is_string() && !model->get_ref<const std::string&>().empty()) {
    completion_.model = model->get<std::string>();
  }
  if (const auto usage = chunk.find("usage"); usage != chunk.end() && usage->is_object()) {
    completion_.usage = usage_of(*usage);
  }
  const auto choices = chunk.find("choices");
  if (choices == chunk.end() || !choices->is_array()) return;
  for (const Json& choice : *choices) {
    if (!choice.is_object() || integer_field(choice, "index").value_or(0) != 0) continue;
    if (const auto delta = choice.find("delta"); delta != choice.end() && delta->is_object()) {
      // A refusal is text the user should see as much as content.
      for (const char* key : {"content", "refusal"}) {
        const auto text = delta->find(key);
        if (text != delta->end() && text->is_string()) {
          const std::string& piece = text->get_ref<const std::string&>();
          completion_.text += piece;
          emitter_.text(piece);
        }
      }
      if (const auto calls = delta->find("tool_calls");
          calls != delta->end() && calls->is_array()) {
        for (const Json& fragment : *calls) assembler_.apply(fragment);
      }
    }
    if (const auto reason = choice.find("finish_reason");
        reason != choice.end() && reason->is_string()) {
      raw_finish_reason_ = reason->get<std::string>();
    }
  }
}

Completion ChunkStream::finish(const std::string& requested_model) const {
  if (!done_) throw malformed("openai", "the event stream ended before [DONE]");
  Completion completion = completion_;
  if (completion.model.empty()) completion.model = requested_model;
  completion.finish_reason =
      canonical_finish_reason(raw_finish_reason_, !completion.tool_calls.empty());
  return completion;
}

}  // namespace providers::openai
