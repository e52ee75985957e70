#include "agents/tool_result_text.h"

#include <agent_sdk/json_codec.hpp>

#include "agents/json_fields.h"

namespace agent_host::agents {

std::string tool_result_text(const nlohmann::json& content, const nlohmann::json& structured) {
  std::string text;
  const auto add = [&text](const std::string& piece) {
    if (!text.empty()) text += "\n";
    text += piece;
  };
  if (content.is_array()) {
    for (const auto& block : content) {
      if (!block.is_object()) continue;
      const std::string type = string_field(block, "type");
      if (type == "text") {
        if (const auto piece = optional_string_field(block, "text")) add(*piece);
      } else if (type == "image" || type == "audio") {
        add("[" + type + ": " + string_field(block, "mimeType", "unknown type") + "]");
      } else if (type == "resource" && block.contains("resource") &&
                 block["resource"].is_object()) {
        const auto& resource = block["resource"];
        if (const auto piece = optional_string_field(resource, "text")) {
          add(*piece);
        } else {
          add("[resource: " + string_field(resource, "uri") + "]");
        }
      } else if (type == "resource_link") {
        add("[resource link: " + string_field(block, "uri") + "]");
      }
    }
  }
  if (text.empty() && !structured.is_null()) {
    text = agent_sdk::dump_json(structured, nlohmann::json::error_handler_t::replace);
  }
  return text;
}

}  // namespace agent_host::agents
