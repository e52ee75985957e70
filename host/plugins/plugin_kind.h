// The four kinds of plugin an agent is composed of.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace agent_host::plugins {

enum class PluginKind : std::uint32_t {
  personality = 1,  // AGENT_KIND_PERSONALITY
  domain = 2,       // AGENT_KIND_DOMAIN
  provider = 3,     // AGENT_KIND_PROVIDER
  tool_source = 4,  // AGENT_KIND_TOOL_SOURCE
};

std::string_view to_string(PluginKind kind) noexcept;
std::optional<PluginKind> kind_from_abi(std::uint32_t value) noexcept;

}  // namespace agent_host::plugins
