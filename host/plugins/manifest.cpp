#include "plugins/manifest.h"

#include <stdexcept>

namespace agent_host::plugins {

Manifest parse_manifest(std::string_view text) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e999
    throw std::invalid_argument(std::string("manifest is not valid JSON: ") + e.what());
  }
  if (!json.is_object()) throw std::invalid_argument("manifest must be a JSON object");

  Manifest manifest;
  const auto description = json.find("description");
  if (description == json.end() || !description->is_string() ||
      description->get_ref<const std::string&>().empty()) {
    throw std::invalid_argument("manifest needs a non-empty string \"description\"");
  }
  manifest.description = description->get<std::string>();

  if (const auto capabilities = json.find("capabilities"); capabilities != json.end()) {
    if (!capabilities->is_array()) {
      throw std::invalid_argument("manifest \"capabilities\" must be an array of strings");
    }
    for (const auto& capability : *capabilities) {
      if (!capability.is_string()) {
        throw std::invalid_argument("manifest \"capabilities\" must be an array of strings");
      }
      manifest.capabilities.push_back(capability.get<std::string>());
    }
  }
  if (const auto schema = json.find("config_schema"); schema != json.end()) {
    if (!schema->is_object()) {
      throw std::invalid_argument("manifest \"config_schema\" must be a JSON Schema object");
    }
    manifest.config_schema = *schema;
  }
  manifest.raw = std::move(json);
  return manifest;
}

}  // namespace agent_host::plugins
