#include "plugins/plugin_registry.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "plugins/folder_files.h"

namespace agent_host::plugins {

std::shared_ptr<const PluginLibrary> PluginSet::find(PluginKind kind, const std::string& id) const {
  const auto it = plugins.find({kind, id});
  return it == plugins.end() ? nullptr : it->second;
}

bool PluginSet::add(std::shared_ptr<const PluginLibrary> library) {
  const PluginInfo& info = library->info();
  const auto key = std::make_pair(info.kind, info.id);
  if (const auto existing = plugins.find(key); existing != plugins.end()) {
    const std::string reason = "duplicate " + std::string(to_string(info.kind)) + " id '" +
                               info.id + "': already provided by " +
                               existing->second->info().file.string();
    spdlog::error("plugins: refused {}: {}", info.file.string(), reason);
    refuse(info.file, reason);
    return false;
  }
  plugins.emplace(key, std::move(library));
  return true;
}

void PluginSet::refuse(const std::filesystem::path& file, const std::string& reason) {
  const auto it = std::find_if(refused.begin(), refused.end(),
                               [&](const Refusal& refusal) { return refusal.file == file; });
  if (it != refused.end()) {
    it->reason = reason;
  } else {
    refused.push_back({file, reason});
  }
}

PluginSet load_plugin_directory(const std::filesystem::path& directory) {
  PluginSet set;
  std::error_code ec;
  const auto files = folder_files(directory, ".so", ec);
  if (ec) {
    spdlog::error("plugins: cannot read directory {}: {}", directory.string(), ec.message());
    return set;
  }

  for (const auto& file : files) {
    LoadResult result = load_plugin(file);
    if (result.refusal) {
      spdlog::error("plugins: refused {}: {}", file.string(), result.refusal->reason);
      set.refused.push_back(std::move(*result.refusal));
      continue;
    }
    const std::shared_ptr<const PluginLibrary> library = std::move(result.plugin);
    if (!set.add(library)) continue;
    const PluginInfo& info = library->info();
    for (const auto& warning : info.warnings) {
      spdlog::warn("plugins: {}: {}", file.string(), warning);
    }
    spdlog::info("plugins: loaded {} {} {} (ABI {}) from {}", to_string(info.kind), info.id,
                 info.version, info.abi.to_string(), file.string());
  }
  return set;
}

std::shared_ptr<const PluginSet> PluginRegistry::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void PluginRegistry::publish(std::shared_ptr<const PluginSet> set) {
  std::lock_guard lock(mutex_);
  current_ = std::move(set);
}

}  // namespace agent_host::plugins
