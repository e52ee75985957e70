#include "plugins/plugin_loader.h"

#include <algorithm>
#include <cstddef>
#include <exception>
#include <system_error>

#include "plugins/elf_symbols.h"

namespace agent_host::plugins {
namespace {

// The smallest descriptor a 1.0 plugin may declare: everything up to and including quiesce.
constexpr std::size_t kMinDescriptorSize =
    offsetof(agent_plugin_descriptor, quiesce) + sizeof(agent_plugin_descriptor::quiesce);

LoadResult refuse(const std::filesystem::path& file, std::string reason) {
  return LoadResult{nullptr, Refusal{file, std::move(reason)}};
}

// Checks the exported names; returns a reason to refuse, or "" when the entry symbol is there.
// Build-rule violations that do not stop the plugin from working become `warnings`.
std::string check_symbols(const std::filesystem::path& file, std::vector<std::string>& warnings) {
  std::vector<ElfSymbol> symbols;
  try {
    symbols = read_dynamic_symbols(file);
  } catch (const std::exception& e) {
    return e.what();
  }
  std::vector<std::string> names;
  std::size_t unique = 0;
  for (const ElfSymbol& symbol : symbols) {
    if (!symbol.defined) continue;
    names.push_back(symbol.name);
    if (symbol.binding == kStbGnuUnique) ++unique;
  }
  if (unique > 0) {
    warnings.push_back(std::to_string(unique) +
                       " STB_GNU_UNIQUE symbol(s): the library can never be unloaded, so a "
                       "reload would keep running the old code (build it with -fno-gnu-unique, "
                       "as agent_sdk_add_plugin does)");
  }
  if (std::find(names.begin(), names.end(), AGENT_PLUGIN_ENTRY_NAME) != names.end()) return "";
  const std::vector<std::uint16_t> majors = entry_majors(names);
  if (!majors.empty()) {
    return "ABI major mismatch: plugin exports agent_plugin_entry_v" +
           std::to_string(majors.front()) + " (built for ABI " + std::to_string(majors.front()) +
           ".x), host implements ABI " + host_abi().to_string();
  }
  return "no entry symbol: " AGENT_PLUGIN_ENTRY_NAME " is not exported (is it a plugin?)";
}

std::string check_descriptor(const agent_plugin_descriptor& d) {
  if (d.struct_size < kMinDescriptorSize) {
    return "descriptor is too small (" + std::to_string(d.struct_size) + " bytes, ABI " +
           std::to_string(AGENT_ABI_MAJOR) + ".0 needs " + std::to_string(kMinDescriptorSize) + ")";
  }
  if (auto reason = abi_incompatibility({d.abi_major, d.abi_minor}, host_abi())) return *reason;
  if (!kind_from_abi(d.kind)) return "unknown plugin kind " + std::to_string(d.kind);
  if (d.id == nullptr || !is_valid_plugin_id(d.id)) {
    return "invalid plugin id (needs 1..64 characters of [a-z0-9_.-])";
  }
  if (d.version == nullptr || d.version[0] == '\0') return "plugin version is empty";
  if (d.manifest_json == nullptr) return "plugin has no manifest";
  if (d.create == nullptr || d.destroy == nullptr || d.invoke == nullptr) {
    return "descriptor lacks create, destroy or invoke";
  }
  return "";
}

LoadResult load_checked(const std::filesystem::path& file, const PluginOrigin* origin) {
  const std::filesystem::path& reported = origin ? origin->source_file : file;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return refuse(reported, "not a regular file");
  std::vector<std::string> warnings;
  if (std::string reason = check_symbols(file, warnings); !reason.empty()) {
    return refuse(reported, reason);
  }

  boost::dll::shared_library library;
  try {
    // RTLD_LOCAL: a plugin's symbols never satisfy another plugin's imports.
    library.load(file.string(),
                 boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    return refuse(reported, std::string("cannot load: ") + e.what());
  }
  const agent_plugin_descriptor* descriptor = nullptr;
  try {
    const auto entry = library.get<const agent_plugin_descriptor*()>(AGENT_PLUGIN_ENTRY_NAME);
    descriptor = entry();
  } catch (const std::exception& e) {
    return refuse(reported, std::string("entry symbol failed: ") + e.what());
  } catch (...) {
    return refuse(reported, "entry symbol threw an exception");
  }
  if (descriptor == nullptr) return refuse(reported, "entry symbol returned no descriptor");
  if (std::string reason = check_descriptor(*descriptor); !reason.empty()) {
    return refuse(reported, reason);
  }

  PluginInfo info;
  info.file = reported;
  info.loaded_from = file;
  if (origin) {
    info.sha256 = origin->sha256;
    info.generation = origin->generation;
  }
  info.kind = *kind_from_abi(descriptor->kind);
  info.id = descriptor->id;
  info.version = descriptor->version;
  info.abi = {descriptor->abi_major, descriptor->abi_minor};
  info.flags = descriptor->flags;
  info.loaded_at = std::chrono::system_clock::now();
  info.warnings = std::move(warnings);
  try {
    info.manifest = parse_manifest(descriptor->manifest_json);
  } catch (const std::exception& e) {
    return refuse(reported, std::string("malformed manifest: ") + e.what());
  }
  return LoadResult{
      std::make_shared<const PluginLibrary>(std::move(library), *descriptor, std::move(info)),
      std::nullopt};
}

}  // namespace

bool is_valid_plugin_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

LoadResult load_plugin(const std::filesystem::path& file,
                       const std::optional<PluginOrigin>& origin) {
  return load_checked(file, origin ? &*origin : nullptr);
}

}  // namespace agent_host::plugins
