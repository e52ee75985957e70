#include "agents/agent_definition.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>

namespace agent_host::agents {
namespace {

std::string required_string(const nlohmann::json& json, const char* key, std::size_t max_len) {
  const auto it = json.find(key);
  if (it == json.end()) throw DefinitionError(std::string("missing \"") + key + "\"");
  if (!it->is_string()) throw DefinitionError(std::string("\"") + key + "\" must be a string");
  std::string value = it->get<std::string>();
  if (value.empty() || value.size() > max_len) {
    throw DefinitionError(std::string("\"") + key + "\" must be 1.." + std::to_string(max_len) +
                          " bytes");
  }
  return value;
}

std::string optional_string(const nlohmann::json& json, const char* key, std::size_t max_len) {
  const auto it = json.find(key);
  if (it == json.end()) return "";
  if (!it->is_string()) throw DefinitionError(std::string("\"") + key + "\" must be a string");
  std::string value = it->get<std::string>();
  if (value.size() > max_len) {
    throw DefinitionError(std::string("\"") + key + "\" is longer than " + std::to_string(max_len) +
                          " bytes");
  }
  return value;
}

// "analytical" or {"id": "analytical", "config": {...}}.
PluginRef parse_ref(const nlohmann::json& value, const std::string& where) {
  PluginRef ref;
  if (value.is_string()) {
    ref.id = value.get<std::string>();
  } else if (value.is_object()) {
    for (const auto& [key, _] : value.items()) {
      if (key != "id" && key != "config" && key != "options") {
        throw DefinitionError(where + ": unknown key \"" + key + "\"");
      }
    }
    const auto id = value.find("id");
    if (id == value.end() || !id->is_string()) {
      throw DefinitionError(where + ": needs a string \"id\"");
    }
    ref.id = id->get<std::string>();
    if (const auto config = value.find("config"); config != value.end()) {
      if (!config->is_object()) throw DefinitionError(where + ": \"config\" must be an object");
      ref.config = *config;
    }
  } else {
    throw DefinitionError(where + ": must be a plugin id or {\"id\", \"config\"}");
  }
  if (ref.id.empty() || ref.id.size() > 64) {
    throw DefinitionError(where + ": plugin id must be 1..64 characters");
  }
  return ref;
}

// The "options" of a provider reference ({} when it has none).
nlohmann::json parse_options(const nlohmann::json& value, const std::string& where) {
  if (!value.is_object()) return nlohmann::json::object();
  const auto options = value.find("options");
  if (options == value.end()) return nlohmann::json::object();
  if (!options->is_object()) throw DefinitionError(where + ": \"options\" must be an object");
  return *options;
}

}  // namespace

bool is_valid_agent_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

AgentDefinition parse_agent_definition(const nlohmann::json& json) {
  if (!json.is_object()) throw DefinitionError("an agent definition must be a JSON object");
  static const std::set<std::string> known = {
      "id",    "display_name",  "description",        "personality",   "domain",        "provider",
      "tools", "history_limit", "fallback_providers", "allowed_tools", "max_tool_steps"};
  for (const auto& [key, _] : json.items()) {
    if (known.count(key) == 0) throw DefinitionError("unknown key \"" + key + "\"");
  }

  AgentDefinition definition;
  definition.id = required_string(json, "id", 64);
  if (!is_valid_agent_id(definition.id)) {
    throw DefinitionError("\"id\" must be 1..64 characters of [a-z0-9_-]");
  }
  definition.display_name = optional_string(json, "display_name", 200);
  if (definition.display_name.empty()) definition.display_name = definition.id;
  definition.description = optional_string(json, "description", 2000);

  for (const char* part : {"personality", "domain", "provider"}) {
    if (!json.contains(part)) throw DefinitionError(std::string("missing \"") + part + "\"");
  }
  definition.personality = parse_ref(json["personality"], "\"personality\"");
  definition.domain = parse_ref(json["domain"], "\"domain\"");
  definition.provider = parse_ref(json["provider"], "\"provider\"");
  definition.provider_options = parse_options(json["provider"], "\"provider\"");
  if (const auto fallbacks = json.find("fallback_providers"); fallbacks != json.end()) {
    if (!fallbacks->is_array() || fallbacks->size() > kMaxFallbackProviders) {
      throw DefinitionError("\"fallback_providers\" must be an array of at most " +
                            std::to_string(kMaxFallbackProviders) + " providers");
    }
    for (std::size_t i = 0; i < fallbacks->size(); ++i) {
      const std::string where = "\"fallback_providers\"[" + std::to_string(i) + "]";
      definition.fallback_providers.push_back(
          {parse_ref((*fallbacks)[i], where), parse_options((*fallbacks)[i], where)});
    }
  }

  if (const auto tools = json.find("tools"); tools != json.end()) {
    if (!tools->is_array()) throw DefinitionError("\"tools\" must be an array");
    for (std::size_t i = 0; i < tools->size(); ++i) {
      definition.tools.push_back(parse_ref((*tools)[i], "\"tools\"[" + std::to_string(i) + "]"));
    }
  }

  if (const auto allowed = json.find("allowed_tools"); allowed != json.end()) {
    if (!allowed->is_array()) throw DefinitionError("\"allowed_tools\" must be an array of names");
    for (const auto& name : *allowed) {
      if (!name.is_string() || name.get_ref<const std::string&>().empty()) {
        throw DefinitionError("\"allowed_tools\" must be an array of non-empty names");
      }
      definition.allowed_tools.push_back(name.get<std::string>());
    }
  }
  if (const auto steps = json.find("max_tool_steps"); steps != json.end()) {
    if (!steps->is_number_integer() || steps->get<std::int64_t>() < 1 ||
        steps->get<std::int64_t>() > static_cast<std::int64_t>(kMaxToolSteps)) {
      throw DefinitionError("\"max_tool_steps\" must be an integer 1.." +
                            std::to_string(kMaxToolSteps));
    }
    definition.max_tool_steps = steps->get<std::size_t>();
  }

  if (const auto limit = json.find("history_limit"); limit != json.end()) {
    if (!limit->is_number_integer() || limit->get<std::int64_t>() < 0 ||
        limit->get<std::int64_t>() > static_cast<std::int64_t>(kMaxHistoryLimit)) {
      throw DefinitionError("\"history_limit\" must be an integer 0.." +
                            std::to_string(kMaxHistoryLimit));
    }
    definition.history_limit = limit->get<std::size_t>();
  }
  return definition;
}

AgentDefinition load_agent_definition(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DefinitionError("cannot read the file");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return parse_agent_file(text, file);
}

AgentDefinition parse_agent_file(std::string_view text, const std::filesystem::path& file) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e999
    throw DefinitionError(std::string("invalid JSON: ") + e.what());
  }
  AgentDefinition definition = parse_agent_definition(json);
  if (definition.id != file.stem().string()) {
    throw DefinitionError("\"id\" is \"" + definition.id + "\" but the file is named " +
                          file.filename().string() + " (they must match)");
  }
  definition.source_file = file;
  return definition;
}

nlohmann::json to_public_json(const AgentDefinition& definition) {
  nlohmann::json tools = nlohmann::json::array();
  for (const auto& tool : definition.tools) tools.push_back(tool.id);
  nlohmann::json fallbacks = nlohmann::json::array();
  for (const auto& fallback : definition.fallback_providers) {
    fallbacks.push_back(fallback.provider.id);
  }
  return {{"id", definition.id},
          {"display_name", definition.display_name},
          {"description", definition.description},
          {"personality", definition.personality.id},
          {"domain", definition.domain.id},
          {"provider", definition.provider.id},
          {"fallback_providers", fallbacks},
          {"tools", tools},
          {"allowed_tools", definition.allowed_tools},
          {"max_tool_steps", definition.max_tool_steps},
          {"history_limit", definition.history_limit}};
}

}  // namespace agent_host::agents
