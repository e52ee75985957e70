// The ABI version rules of DESIGN.md, as pure functions so they are tested on their own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agent_host::plugins {

struct AbiVersion {
  std::uint16_t major = 0;
  std::uint16_t minor = 0;
  std::string to_string() const;
};

// The ABI this host implements (AGENT_ABI_MAJOR.AGENT_ABI_MINOR of the header it was built with).
AbiVersion host_abi() noexcept;

// Why a plugin built for `plugin` cannot be loaded by a host at `host`, or nothing when it can:
// equal major, plugin minor <= host minor.
std::optional<std::string> abi_incompatibility(AbiVersion plugin, AbiVersion host);

// The ABI majors whose entry symbols ("agent_plugin_entry_v<N>") appear among `symbol_names`.
std::vector<std::uint16_t> entry_majors(const std::vector<std::string>& symbol_names);

}  // namespace agent_host::plugins
