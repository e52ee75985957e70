// A plugin's manifest: the JSON object its descriptor carries.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace agent_host::plugins {

struct Manifest {
  std::string description;
  std::vector<std::string> capabilities;
  nlohmann::json config_schema = nlohmann::json::object();
  nlohmann::json raw = nlohmann::json::object();  // the whole object, unknown keys included
};

// Parses and validates manifest text. Throws std::invalid_argument naming what is wrong.
Manifest parse_manifest(std::string_view text);

}  // namespace agent_host::plugins
