// The set of loaded plugins, published as immutable snapshots. Readers take a snapshot (a shared
// reference) and keep it for as long as they need; publishing a new set never disturbs them.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "plugins/plugin_loader.h"

namespace agent_host::plugins {

struct PluginSet {
  std::map<std::pair<PluginKind, std::string>, std::shared_ptr<const PluginLibrary>> plugins;
  std::vector<Refusal> refused;

  std::shared_ptr<const PluginLibrary> find(PluginKind kind, const std::string& id) const;
  // Adds `library` under its kind and id, or refuses it (listed in `refused`, returns false)
  // when an earlier file already provides them.
  bool add(std::shared_ptr<const PluginLibrary> library);
  // Sets the (last) refusal of `file`.
  void refuse(const std::filesystem::path& file, const std::string& reason);
};

// Loads every "*.so" file of `directory` (in name order, so duplicates resolve the same way on
// every start: the first file keeps the id, later ones are refused). Other files are ignored.
PluginSet load_plugin_directory(const std::filesystem::path& directory);

class PluginRegistry {
 public:
  std::shared_ptr<const PluginSet> current() const;
  void publish(std::shared_ptr<const PluginSet> set);

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const PluginSet> current_ = std::make_shared<const PluginSet>();
};

}  // namespace agent_host::plugins
