// Validates a plugin file and loads it, or says exactly why it is refused. Checks that need no
// plugin code (ELF format, entry symbol, ABI major in the symbol name) run before dlopen.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "plugins/plugin_library.h"

namespace agent_host::plugins {

struct Refusal {
  std::filesystem::path file;
  std::string reason;
};

struct LoadResult {
  std::shared_ptr<const PluginLibrary> plugin;  // set on success
  std::optional<Refusal> refusal;               // set on failure
};

// Where a hot-reloaded plugin comes from: `file` is loaded, but reported as `source_file`.
struct PluginOrigin {
  std::filesystem::path source_file;
  std::string sha256;
  std::uint64_t generation = 0;
};

// Never throws: every failure becomes a Refusal naming the file and the reason. With an origin,
// refusals and PluginInfo::file name origin->source_file (the copy is an implementation detail).
LoadResult load_plugin(const std::filesystem::path& file,
                       const std::optional<PluginOrigin>& origin = std::nullopt);

// True for a plugin id agents can refer to: [a-z0-9_.-], 1..64 characters.
bool is_valid_plugin_id(std::string_view id) noexcept;

}  // namespace agent_host::plugins
