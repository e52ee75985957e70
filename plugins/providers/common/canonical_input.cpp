#include "common/canonical_input.hpp"

#include <cmath>
#include <limits>

#include "common/json_fields.hpp"

namespace providers {

namespace {

using agent_sdk::Error;
using agent_sdk::Json;

[[noreturn]] void invalid(const std::string& what) { throw Error(AGENT_ERR_INVALID_INPUT, what); }

std::string text_of(const Json& content, const std::string& where) {
  if (content.is_string()) return content.get<std::string>();
  if (content.is_null()) return {};
  if (content.is_array()) {
    std::string text;
    for (const Json& part : content) {
      if (!part.is_object() || string_field(part, "type") != "text" || !part.contains("text") ||
          !part["text"].is_string()) {
        invalid(where + " parts must be {\"type\": \"text\", \"text\": string}");
      }
      text += part["text"].get<std::string>();
    }
    return text;
  }
  invalid(where + " must be a string, null or an array of text parts");
}

std::string required_string(const Json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    invalid(where + "." + key + " must be a non-empty string");
  }
  return it->get<std::string>();
}

// Canonical {"id", "name", "arguments"} or OpenAI's {"id", "type", "function": {"name",
// "arguments"}}; arguments are JSON text (an object is accepted and serialised).
ToolCall parse_tool_call(const Json& item, const std::string& where) {
  if (!item.is_object()) invalid(where + " must be an object");
  ToolCall call;
  call.id = required_string(item, "id", where);
  const auto function = item.find("function");
  const bool nested = function != item.end() && function->is_object();
  const Json& source = nested ? *function : item;
  const std::string source_where = nested ? where + ".function" : where;
  call.name = required_string(source, "name", source_where);
  const auto arguments = source.find("arguments");
  if (arguments == source.end() || arguments->is_null()) {
    call.arguments = "{}";
  } else if (arguments->is_string()) {
    call.arguments = arguments->get<std::string>();
  } else if (arguments->is_object()) {
    call.arguments = arguments->dump();
  } else {
    invalid(source_where + ".arguments must be JSON text");
  }
  return call;
}

Message parse_message(const Json& item, const std::string& where) {
  if (!item.is_object()) invalid(where + " must be an object");
  const auto role = item.find("role");
  if (role == item.end() || !role->is_string()) invalid(where + " needs a string \"role\"");
  Message message;
  const std::string& name = role->get_ref<const std::string&>();
  if (name == "system") {
    message.role = Role::system;
  } else if (name == "user") {
    message.role = Role::user;
  } else if (name == "assistant") {
    message.role = Role::assistant;
  } else if (name == "tool") {
    message.role = Role::tool;
  } else {
    invalid(where + ".role must be \"system\", \"user\", \"assistant\" or \"tool\", not \"" + name +
            "\"");
  }
  message.content = text_of(item.value("content", Json()), where + ".content");
  if (message.role == Role::tool)
    message.tool_call_id = required_string(item, "tool_call_id", where);
  if (const auto calls = item.find("tool_calls"); calls != item.end() && !calls->is_null()) {
    if (message.role != Role::assistant)
      invalid(where + ": only assistant messages have tool_calls");
    if (!calls->is_array()) invalid(where + ".tool_calls must be an array");
    for (std::size_t i = 0; i < calls->size(); ++i) {
      message.tool_calls.push_back(
          parse_tool_call((*calls)[i], where + ".tool_calls[" + std::to_string(i) + "]"));
    }
  }
  return message;
}

ToolSpec parse_tool(const Json& item, const std::string& where) {
  if (!item.is_object()) invalid(where + " must be an object");
  ToolSpec tool;
  tool.name = required_string(item, "name", where);
  if (const auto it = item.find("description"); it != item.end() && !it->is_null()) {
    if (!it->is_string()) invalid(where + ".description must be a string");
    tool.description = it->get<std::string>();
  }
  tool.input_schema = Json{{"type", "object"}, {"properties", Json::object()}};
  if (const auto it = item.find("input_schema"); it != item.end() && !it->is_null()) {
    if (!it->is_object()) invalid(where + ".input_schema must be a JSON Schema object");
    tool.input_schema = *it;
  }
  return tool;
}

Overrides parse_options(const Json& input, double max_temperature) {
  Overrides options;
  const auto it = input.find("options");
  if (it == input.end() || it->is_null()) return options;
  if (!it->is_object()) invalid("\"options\" must be an object");
  const Json& object = *it;
  if (const auto model = object.find("model"); model != object.end() && !model->is_null()) {
    if (!model->is_string() || model->get_ref<const std::string&>().empty()) {
      invalid("options.model must be a non-empty string");
    }
    options.model = model->get<std::string>();
  }
  if (const auto t = object.find("temperature"); t != object.end() && !t->is_null()) {
    const double value = t->is_number() ? t->get<double>() : -1.0;
    if (!std::isfinite(value) || value < 0.0 || value > max_temperature) {
      invalid("options.temperature must be a number from 0 to " + Json(max_temperature).dump());
    }
    options.temperature = value;
  }
  if (const auto n = object.find("max_tokens"); n != object.end() && !n->is_null()) {
    // Unsigned values above INT64_MAX read as negative here and are refused with the rest.
    if (!n->is_number_integer() || n->get<std::int64_t>() <= 0 ||
        n->get<std::int64_t>() > std::numeric_limits<int32_t>::max()) {
      invalid("options.max_tokens must be a positive integer");
    }
    options.max_tokens = n->get<std::int64_t>();
  }
  return options;
}

}  // namespace

CompletionInput parse_completion_input(const Json& input, double max_temperature) {
  if (!input.is_object()) invalid("the input must be a JSON object");
  CompletionInput parsed;
  const auto messages = input.find("messages");
  if (messages == input.end() || !messages->is_array() || messages->empty()) {
    invalid("\"messages\" must be a non-empty array of {\"role\", \"content\"}");
  }
  for (std::size_t i = 0; i < messages->size(); ++i) {
    parsed.messages.push_back(parse_message((*messages)[i], "messages[" + std::to_string(i) + "]"));
  }
  if (const auto tools = input.find("tools"); tools != input.end() && !tools->is_null()) {
    if (!tools->is_array()) invalid("\"tools\" must be an array");
    for (std::size_t i = 0; i < tools->size(); ++i) {
      parsed.tools.push_back(parse_tool((*tools)[i], "tools[" + std::to_string(i) + "]"));
    }
  }
  parsed.options = parse_options(input, max_temperature);
  return parsed;
}

ModelSettings apply(const ModelSettings& defaults, const Overrides& options) {
  ModelSettings settings = defaults;
  if (options.model) settings.model = *options.model;
  if (options.temperature) settings.temperature = options.temperature;
  if (options.max_tokens) settings.max_tokens = options.max_tokens;
  return settings;
}

}  // namespace providers
