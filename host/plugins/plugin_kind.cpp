#include "plugins/plugin_kind.h"

#include <agent_sdk/agent_plugin.h>

namespace agent_host::plugins {

static_assert(static_cast<std::uint32_t>(PluginKind::personality) == AGENT_KIND_PERSONALITY);
static_assert(static_cast<std::uint32_t>(PluginKind::domain) == AGENT_KIND_DOMAIN);
static_assert(static_cast<std::uint32_t>(PluginKind::provider) == AGENT_KIND_PROVIDER);
static_assert(static_cast<std::uint32_t>(PluginKind::tool_source) == AGENT_KIND_TOOL_SOURCE);

std::string_view to_string(PluginKind kind) noexcept {
  switch (kind) {
    case PluginKind::personality:
      return "personality";
    case PluginKind::domain:
      return "domain";
    case PluginKind::provider:
      return "provider";
    case PluginKind::tool_source:
      return "tool_source";
  }
  return "unknown";
}

std::optional<PluginKind> kind_from_abi(std::uint32_t value) noexcept {
  if (value >= AGENT_KIND_PERSONALITY && value <= AGENT_KIND_TOOL_SOURCE) {
    return static_cast<PluginKind>(value);
  }
  return std::nullopt;
}

}  // namespace agent_host::plugins
