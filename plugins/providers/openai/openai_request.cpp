#include "openai/openai_request.hpp"

#include <agent_sdk/json_codec.hpp>

namespace providers::openai {

using agent_sdk::Json;

std::string endpoint_url(const Config& config) {
  if (config.azure) {
    return config.transport.base_url + "/openai/deployments/" + config.azure->deployment +
           "/chat/completions?api-version=" + config.azure->api_version;
  }
  return config.transport.base_url + "/chat/completions";
}

Json convert_messages(const std::vector<Message>& messages) {
  Json out = Json::array();
  for (const Message& message : messages) {
    switch (message.role) {
      case Role::system:
        out.push_back({{"role", "system"}, {"content", message.content}});
        break;
      case Role::user:
        out.push_back({{"role", "user"}, {"content", message.content}});
        break;
      case Role::tool:
        out.push_back({{"role", "tool"},
                       {"tool_call_id", message.tool_call_id},
                       {"content", message.content}});
        break;
      case Role::assistant: {
        Json item = {{"role", "assistant"}};
        if (message.tool_calls.empty()) {
          item["content"] = message.content;
        } else {
          item["content"] = message.content.empty() ? Json(nullptr) : Json(message.content);
          Json calls = Json::array();
          for (const ToolCall& call : message.tool_calls) {
            calls.push_back({{"id", call.id},
                             {"type", "function"},
                             {"function", {{"name", call.name}, {"arguments", call.arguments}}}});
          }
          item["tool_calls"] = std::move(calls);
        }
        out.push_back(std::move(item));
        break;
      }
    }
  }
  return out;
}

Json convert_tools(const std::vector<ToolSpec>& tools) {
  Json out = Json::array();
  for (const ToolSpec& tool : tools) {
    Json function = {{"name", tool.name}, {"parameters", tool.input_schema}};
    if (!tool.description.empty()) function["description"] = tool.description;
    out.push_back({{"type", "function"}, {"function", std::move(function)}});
  }
  return out;
}

Json build_body(const Config& config, const ModelSettings& settings, const CompletionInput& input) {
  Json body = Json::object();
  if (!config.azure) body["model"] = settings.model;
  body["messages"] = convert_messages(input.messages);
  if (!input.tools.empty()) body["tools"] = convert_tools(input.tools);
  if (settings.temperature) body["temperature"] = *settings.temperature;
  if (settings.max_tokens) body["max_tokens"] = *settings.max_tokens;
  body["stream"] = config.stream;
  if (config.stream) body["stream_options"] = {{"include_usage", true}};
  return body;
}

agent_sdk::HttpRequest build_request(const Config& config, const Json& body,
                                     const std::optional<std::string>& api_key,
                                     std::uint64_t call_id) {
  agent_sdk::HttpRequest request = json_post(config.transport, endpoint_url(config),
                                             agent_sdk::dump_json(body), config.stream, call_id);
  if (api_key && !api_key->empty()) {
    if (config.azure) {
      request.headers.emplace_back("api-key", *api_key);
    } else {
      request.headers.emplace_back("authorization", "Bearer " + *api_key);
    }
  }
  return request;
}

}  // namespace providers::openai
