#include "http/handlers/openai_request.h"

#include "http/api_error.h"

namespace agent_host::http::handlers {
namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw ApiError(422, "invalid_request", message);
}

// "content": a string, or an array of {"type":"text","text"} parts joined.
std::string content_of(const nlohmann::json& message, const std::string& where, bool nullable) {
  const auto it = message.find("content");
  if (it == message.end() || it->is_null()) {
    if (nullable) return "";
    invalid(where + ".content is required");
  }
  if (it->is_string()) return it->get<std::string>();
  if (!it->is_array()) invalid(where + ".content must be a string or an array of parts");
  std::string text;
  for (const auto& part : *it) {
    if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") ||
        !part["text"].is_string()) {
      invalid(where + ".content: only text parts are supported by this host");
    }
    text += part["text"].get<std::string>();
  }
  return text;
}

nlohmann::json tool_calls_of(const nlohmann::json& calls, const std::string& where) {
  if (!calls.is_array()) invalid(where + ".tool_calls must be an array");
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const auto& call = calls[i];
    const std::string at = where + ".tool_calls[" + std::to_string(i) + "]";
    if (!call.is_object() || !call.contains("id") || !call["id"].is_string() ||
        !call.contains("function") || !call["function"].is_object()) {
      invalid(at + " needs \"id\" and \"function\"");
    }
    const auto& function = call["function"];
    if (!function.contains("name") || !function["name"].is_string()) {
      invalid(at + ".function.name must be a string");
    }
    const auto arguments = function.find("arguments");
    if (arguments != function.end() && !arguments->is_string()) {
      invalid(at + ".function.arguments must be a JSON string");
    }
    out.push_back({{"id", call["id"]},
                   {"name", function["name"]},
                   {"arguments", arguments != function.end() ? *arguments : "{}"}});
  }
  return out;
}

nlohmann::json messages_of(const nlohmann::json& body) {
  const auto it = body.find("messages");
  if (it == body.end() || !it->is_array() || it->empty()) {
    invalid("\"messages\" must be a non-empty array");
  }
  if (it->size() > kMaxTranscriptMessages) {
    invalid("\"messages\" holds more than " + std::to_string(kMaxTranscriptMessages) + " messages");
  }
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto& message = (*it)[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (!message.is_object() || !message.contains("role") || !message["role"].is_string()) {
      invalid(where + " needs a string \"role\"");
    }
    const std::string role = message["role"].get<std::string>();
    if (role == "system" || role == "developer") {
      out.push_back({{"role", "system"}, {"content", content_of(message, where, false)}});
    } else if (role == "user") {
      out.push_back({{"role", "user"}, {"content", content_of(message, where, false)}});
    } else if (role == "assistant") {
      nlohmann::json item = {{"role", "assistant"}};
      const auto calls = message.find("tool_calls");
      const bool has_calls = calls != message.end() && !calls->is_null();
      item["content"] = content_of(message, where, has_calls);
      if (has_calls) item["tool_calls"] = tool_calls_of(*calls, where);
      out.push_back(std::move(item));
    } else if (role == "tool") {
      if (!message.contains("tool_call_id") || !message["tool_call_id"].is_string()) {
        invalid(where + ".tool_call_id must be a string");
      }
      out.push_back({{"role", "tool"},
                     {"tool_call_id", message["tool_call_id"]},
                     {"content", content_of(message, where, false)}});
    } else {
      invalid(where + ".role \"" + role +
              "\" is not one of system, developer, user, assistant, tool");
    }
  }
  const std::string last = out.back()["role"].get<std::string>();
  if (last != "user" && last != "tool") {
    invalid("the last message must come from the user or a tool (got \"" + last + "\")");
  }
  return out;
}

nlohmann::json tools_of(const nlohmann::json& body) {
  nlohmann::json out = nlohmann::json::array();
  const auto it = body.find("tools");
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array() || it->size() > kMaxTools) {
    invalid("\"tools\" must be an array of at most " + std::to_string(kMaxTools) + " tools");
  }
  if (body.value("tool_choice", nlohmann::json()) == "none") return out;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto& tool = (*it)[i];
    const std::string where = "tools[" + std::to_string(i) + "]";
    if (!tool.is_object() || tool.value("type", "") != "function" || !tool.contains("function") ||
        !tool["function"].is_object()) {
      invalid(where + " must be {\"type\": \"function\", \"function\": {...}}");
    }
    const auto& function = tool["function"];
    if (!function.contains("name") || !function["name"].is_string()) {
      invalid(where + ".function.name must be a string");
    }
    nlohmann::json schema = function.value("parameters", nlohmann::json::object());
    if (!schema.is_object()) invalid(where + ".function.parameters must be an object");
    out.push_back({{"name", function["name"]},
                   {"description", function.value("description", "")},
                   {"input_schema", schema}});
  }
  return out;
}

}  // namespace

CompletionRequest parse_completion_request(const nlohmann::json& body) {
  if (!body.is_object()) invalid("the body must be a JSON object");
  CompletionRequest request;
  const auto model = body.find("model");
  if (model == body.end() || !model->is_string() || model->get<std::string>().empty()) {
    invalid("\"model\" must name an agent (see GET /v1/models)");
  }
  request.model = model->get<std::string>();
  request.transcript.messages = messages_of(body);
  request.transcript.tools = tools_of(body);

  if (const auto it = body.find("stream"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) invalid("\"stream\" must be a boolean");
    request.stream = it->get<bool>();
  }
  if (const auto it = body.find("stream_options"); it != body.end() && !it->is_null()) {
    if (!it->is_object()) invalid("\"stream_options\" must be an object");
    const auto usage = it->find("include_usage");
    if (usage != it->end() && !usage->is_boolean()) {
      invalid("\"stream_options.include_usage\" must be a boolean");
    }
    request.include_usage = usage != it->end() && usage->get<bool>();
  }
  if (const auto it = body.find("n"); it != body.end() && !it->is_null() && *it != 1) {
    invalid("\"n\" must be 1: this host returns one choice");
  }
  if (const auto it = body.find("temperature"); it != body.end() && !it->is_null()) {
    if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 2) {
      invalid("\"temperature\" must be a number from 0 to 2");
    }
    request.transcript.options["temperature"] = *it;
  }
  for (const char* key : {"max_completion_tokens", "max_tokens"}) {
    if (const auto it = body.find(key); it != body.end() && !it->is_null()) {
      if (!it->is_number_integer() || it->get<std::int64_t>() < 1) {
        invalid(std::string("\"") + key + "\" must be a positive integer");
      }
      request.transcript.options["max_tokens"] = *it;
      break;
    }
  }
  return request;
}

}  // namespace agent_host::http::handlers
