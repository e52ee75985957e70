#include "anthropic/anthropic_request.hpp"

#include <agent_sdk/json_codec.hpp>
#include <algorithm>

namespace providers::anthropic {

using agent_sdk::Error;
using agent_sdk::Json;

namespace {

Json parse_arguments(const ToolCall& call, std::size_t message, std::size_t index) {
  const std::string where =
      "messages[" + std::to_string(message) + "].tool_calls[" + std::to_string(index) + "]";
  if (call.arguments.empty()) return Json::object();
  Json input = agent_sdk::try_parse_json(call.arguments);
  if (input.is_discarded()) {
    throw Error(AGENT_ERR_INVALID_INPUT, where + ".arguments is not valid JSON");
  }
  if (!input.is_object()) {
    throw Error(AGENT_ERR_INVALID_INPUT, where + ".arguments must be a JSON object");
  }
  return input;
}

Json text_block(const std::string& text) { return {{"type", "text"}, {"text", text}}; }

bool is_tool_result(const Json& block) { return block.value("type", "") == "tool_result"; }

}  // namespace

ConvertedMessages convert_messages(const std::vector<Message>& messages) {
  ConvertedMessages out;
  out.messages = Json::array();
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const Message& message = messages[i];
    if (message.role == Role::system) {
      if (!message.content.empty()) {
        out.system += (out.system.empty() ? "" : "\n\n") + message.content;
      }
      continue;
    }
    const char* role = message.role == Role::assistant ? "assistant" : "user";
    Json blocks = Json::array();
    if (message.role == Role::tool) {
      blocks.push_back({{"type", "tool_result"},
                        {"tool_use_id", message.tool_call_id},
                        {"content", message.content}});
    } else if (!message.content.empty()) {
      blocks.push_back(text_block(message.content));
    }
    for (std::size_t k = 0; k < message.tool_calls.size(); ++k) {
      const ToolCall& call = message.tool_calls[k];
      blocks.push_back({{"type", "tool_use"},
                        {"id", call.id},
                        {"name", call.name},
                        {"input", parse_arguments(call, i, k)}});
    }
    if (blocks.empty()) continue;
    if (!out.messages.empty() && out.messages.back()["role"] == role) {
      Json& content = out.messages.back()["content"];
      for (Json& block : blocks) content.push_back(std::move(block));
    } else {
      out.messages.push_back({{"role", role}, {"content", std::move(blocks)}});
    }
  }
  for (Json& message : out.messages) {
    auto& content = message["content"].get_ref<Json::array_t&>();
    std::stable_partition(content.begin(), content.end(), is_tool_result);
  }
  if (out.messages.empty()) {
    throw Error(AGENT_ERR_INVALID_INPUT,
                "\"messages\" needs at least one non-empty user or assistant message");
  }
  return out;
}

Json convert_tools(const std::vector<ToolSpec>& tools) {
  Json out = Json::array();
  for (const ToolSpec& tool : tools) {
    Json item = {{"name", tool.name}, {"input_schema", tool.input_schema}};
    if (!tool.description.empty()) item["description"] = tool.description;
    out.push_back(std::move(item));
  }
  return out;
}

Json build_body(const Config& config, const ModelSettings& settings, const CompletionInput& input) {
  ConvertedMessages converted = convert_messages(input.messages);
  Json body = {{"model", settings.model},
               {"max_tokens", settings.max_tokens.value_or(kDefaultMaxTokens)}};
  if (!converted.system.empty()) body["system"] = converted.system;
  body["messages"] = std::move(converted.messages);
  if (!input.tools.empty()) body["tools"] = convert_tools(input.tools);
  if (settings.temperature) body["temperature"] = *settings.temperature;
  body["stream"] = config.stream;
  return body;
}

agent_sdk::HttpRequest build_request(const Config& config, const Json& body,
                                     const std::string& api_key, std::uint64_t call_id) {
  agent_sdk::HttpRequest request =
      json_post(config.transport, config.transport.base_url + "/v1/messages",
                agent_sdk::dump_json(body), config.stream, call_id);
  request.headers.emplace_back("x-api-key", api_key);
  request.headers.emplace_back("anthropic-version", config.anthropic_version);
  return request;
}

}  // namespace providers::anthropic
