// Content-addressed copies of plugin files. A plugin is never dlopen'ed from the plugins folder
// itself: the operator may overwrite that file while the old generation still runs, and the
// dynamic loader would map the new bytes under the old code (or hand back the old handle for the
// same path). Each version is copied once to <cache>/<sha256>.so and loaded from there, so two
// generations of one file are two distinct libraries, loaded side by side.
#pragma once

#include <filesystem>
#include <string>

namespace agent_host::plugins {

struct PluginBytes {
  std::string data;    // the whole file as read once (what is hashed, verified and copied)
  std::string sha256;  // lowercase hex
};

// Reads `file` (at most max_plugin_bytes). Throws std::runtime_error with the reason.
PluginBytes read_plugin_file(const std::filesystem::path& file);

inline constexpr std::size_t kMaxPluginBytes = 256u * 1024 * 1024;

class PluginCache {
 public:
  // Creates a private folder agent-host-plugins-XXXXXX under `parent` (the system temporary
  // folder when empty). Throws std::runtime_error when it cannot.
  explicit PluginCache(const std::filesystem::path& parent);
  // Removes the folder. Declare the cache before anything holding libraries loaded from it.
  ~PluginCache();
  PluginCache(const PluginCache&) = delete;
  PluginCache& operator=(const PluginCache&) = delete;

  // The path of `bytes` in the cache, written (temp name, then rename) if not there yet.
  // Throws std::runtime_error when the copy cannot be written.
  std::filesystem::path store(const PluginBytes& bytes) const;

  const std::filesystem::path& folder() const noexcept { return folder_; }

 private:
  std::filesystem::path folder_;
};

}  // namespace agent_host::plugins
