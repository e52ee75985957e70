// What a model reads of a tool's result (MCP content blocks, structured content).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace agent_host::agents {

// Text blocks joined by newlines, other blocks described ("[image: image/png]"), structured
// content as JSON when there is no text. Blocks of unknown type or shape are skipped.
std::string tool_result_text(const nlohmann::json& content, const nlohmann::json& structured);

}  // namespace agent_host::agents
