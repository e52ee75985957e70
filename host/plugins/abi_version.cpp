#include "plugins/abi_version.h"

#include <agent_sdk/agent_plugin.h>

#include <charconv>

namespace agent_host::plugins {

std::string AbiVersion::to_string() const {
  return std::to_string(major) + "." + std::to_string(minor);
}

AbiVersion host_abi() noexcept { return {AGENT_ABI_MAJOR, AGENT_ABI_MINOR}; }

std::optional<std::string> abi_incompatibility(AbiVersion plugin, AbiVersion host) {
  if (plugin.major != host.major) {
    return "ABI major mismatch: plugin is built for ABI " + plugin.to_string() +
           ", host implements ABI " + host.to_string();
  }
  if (plugin.minor > host.minor) {
    return "plugin needs a newer host: plugin is built for ABI " + plugin.to_string() +
           ", host implements ABI " + host.to_string();
  }
  return std::nullopt;
}

std::vector<std::uint16_t> entry_majors(const std::vector<std::string>& symbol_names) {
  constexpr std::string_view prefix = AGENT_PLUGIN_ENTRY_PREFIX;
  std::vector<std::uint16_t> majors;
  for (const std::string& name : symbol_names) {
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    std::uint16_t major = 0;
    const char* first = name.data() + prefix.size();
    const char* last = name.data() + name.size();
    const auto [end, error] = std::from_chars(first, last, major);
    if (error == std::errc() && end == last) majors.push_back(major);
  }
  return majors;
}

}  // namespace agent_host::plugins
