#include "openai/openai_response.hpp"

#include "common/json_fields.hpp"
#include "common/limits.hpp"
#include "common/upstream_error.hpp"
#include "openai/openai_stream.hpp"

namespace providers::openai {

using agent_sdk::Json;

Usage usage_of(const Json& usage) {
  Usage out;
  out.prompt_tokens = integer_field(usage, "prompt_tokens").value_or(0);
  out.completion_tokens = integer_field(usage, "completion_tokens").value_or(0);
  out.total_tokens = integer_field(usage, "total_tokens");
  return out;
}

namespace {

ToolCall parse_tool_call(const Json& item, std::size_t position) {
  const std::string where = "tool call " + std::to_string(position);
  if (!item.is_object()) throw malformed("openai", where + " is not an object");
  const auto function = item.find("function");
  if (function == item.end() || !function->is_object()) {
    throw malformed("openai", where + " has no function");
  }
  ToolCall call;
  if (const auto id = item.find("id"); id != item.end() && id->is_string()) {
    call.id = id->get<std::string>();
  }
  if (call.id.empty()) call.id = "call_" + std::to_string(position);
  const auto name = function->find("name");
  if (name == function->end() || !name->is_string() ||
      name->get_ref<const std::string&>().empty()) {
    throw malformed("openai", where + " has no name");
  }
  call.name = name->get<std::string>();
  if (const auto arguments = function->find("arguments"); arguments != function->end()) {
    if (arguments->is_string()) {
      call.arguments = arguments->get<std::string>();
    } else if (arguments->is_object()) {
      call.arguments = arguments->dump();
    }
  }
  if (call.arguments.empty()) call.arguments = "{}";
  return call;
}

}  // namespace

Completion parse_response(const Json& body, const std::string& requested_model) {
  if (const auto error = body.find("error"); error != body.end() && !error->is_null()) {
    throw in_band_error(*error);
  }
  const auto choices = body.find("choices");
  if (choices == body.end() || !choices->is_array() || choices->empty() ||
      !(*choices)[0].is_object()) {
    throw malformed("openai", "the answer has no choices");
  }
  const Json& choice = (*choices)[0];
  const auto message = choice.find("message");
  if (message == choice.end() || !message->is_object()) {
    throw malformed("openai", "the answer's first choice has no message");
  }
  Completion completion;
  for (const char* key : {"content", "refusal"}) {
    const auto text = message->find(key);
    if (text != message->end() && text->is_string()) completion.text += text->get<std::string>();
  }
  if (const auto calls = message->find("tool_calls");
      calls != message->end() && calls->is_array()) {
    if (calls->size() > kMaxToolCalls) {
      throw UpstreamError(
          AGENT_ERR_UPSTREAM,
          "openai: the answer has more than " + std::to_string(kMaxToolCalls) + " tool calls",
          false);
    }
    for (std::size_t i = 0; i < calls->size(); ++i) {
      completion.tool_calls.push_back(parse_tool_call((*calls)[i], i));
    }
  }
  std::string reason;
  if (const auto it = choice.find("finish_reason"); it != choice.end() && it->is_string()) {
    reason = it->get<std::string>();
  }
  completion.finish_reason = canonical_finish_reason(reason, !completion.tool_calls.empty());
  if (const auto usage = body.find("usage"); usage != body.end() && usage->is_object()) {
    completion.usage = usage_of(*usage);
  }
  if (const auto model = body.find("model"); model != body.end() && model->is_string()) {
    completion.model = model->get<std::string>();
  }
  if (completion.model.empty()) completion.model = requested_model;
  return completion;
}

}  // namespace providers::openai
