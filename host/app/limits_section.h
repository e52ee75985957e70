// Reads the "limits" and "cors" sections of host.json (README "Limits") into HostConfig.
#pragma once

#include <nlohmann/json.hpp>

namespace agent_host::app {

struct HostConfig;

// Throws ConfigError naming the field.
void read_limits_sections(const nlohmann::json& root, HostConfig& config);

}  // namespace agent_host::app
