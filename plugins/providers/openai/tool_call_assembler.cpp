#include "openai/tool_call_assembler.hpp"

#include <optional>
#include <string>

#include "common/upstream_error.hpp"

namespace providers::openai {

using agent_sdk::Json;

namespace {

std::optional<std::string> string_at(const Json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

std::size_t ToolCallAssembler::start(const std::string& id, std::optional<std::int64_t> index) {
  if (calls_.size() >= max_calls_) {
    throw UpstreamError(
        AGENT_ERR_UPSTREAM,
        "openai: the answer has more than " + std::to_string(max_calls_) + " tool calls", false);
  }
  calls_.push_back(ToolCall{id, {}, {}});
  if (index) latest_at_index_[*index] = calls_.size() - 1;
  return calls_.size() - 1;
}

void ToolCallAssembler::apply(const Json& fragment) {
  if (!fragment.is_object()) throw malformed("openai", "a streamed tool call is not an object");
  std::optional<std::int64_t> index;
  if (const auto it = fragment.find("index"); it != fragment.end() && it->is_number_integer()) {
    index = it->get<std::int64_t>();
  }
  std::optional<std::size_t> current;
  if (index) {
    if (const auto it = latest_at_index_.find(*index); it != latest_at_index_.end()) {
      current = it->second;
    }
  } else if (!calls_.empty()) {
    current = calls_.size() - 1;
  }

  std::size_t target = 0;
  const std::optional<std::string> id = string_at(fragment, "id");
  if (id && !id->empty()) {
    if (current && calls_[*current].id == *id) {
      target = *current;  // the id repeated on a later fragment of the same call
    } else if (current && calls_[*current].id.empty() && calls_[*current].name.empty() &&
               calls_[*current].arguments.empty()) {
      target = *current;  // an empty call started by an id-less fragment: this is its id
      calls_[target].id = *id;
    } else {
      target = start(*id, index);
    }
  } else {
    target = current ? *current : start("", index);
  }

  const auto function = fragment.find("function");
  if (function == fragment.end() || !function->is_object()) return;
  ToolCall& call = calls_[target];
  if (const auto name = string_at(*function, "name"); name && !name->empty()) {
    // Most servers send the name once; some repeat it whole, a few split it.
    if (call.name.empty()) {
      call.name = *name;
    } else if (call.name != *name) {
      call.name += *name;
    }
  }
  if (const auto arguments = function->find("arguments"); arguments != function->end()) {
    if (arguments->is_string()) {
      call.arguments += arguments->get<std::string>();
    } else if (arguments->is_object()) {
      call.arguments += arguments->dump();  // non-standard servers send the object itself
    }
  }
}

std::vector<ToolCall> ToolCallAssembler::finish() const {
  std::vector<ToolCall> calls = calls_;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].name.empty()) {
      throw malformed("openai", "streamed tool call " + std::to_string(i) + " has no name");
    }
    if (calls[i].id.empty()) calls[i].id = "call_" + std::to_string(i);
    if (calls[i].arguments.empty()) calls[i].arguments = "{}";
  }
  return calls;
}

}  // namespace providers::openai
