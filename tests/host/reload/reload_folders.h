// Folders for hot-reload tests: the fixture personality and domain, the echo provider as its
// "v1" build, and agents using it (no prefix config, so the answer names the build).
#pragma once

#include <dlfcn.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "support/fixture_agents.h"
#include "support/temp_dir.h"

namespace agent_test {

// An agent on plain_c + gatekeeper + echo whose answers start with the echo build's prefix.
inline nlohmann::json reload_agent(const std::string& id) {
  nlohmann::json agent = fixture_agent(id);
  agent["provider"] = "echo";
  return agent;
}

// Replaces `to` the recommended way: write a hidden temp file, then rename it into place.
inline void install_by_rename(const std::filesystem::path& from, const std::filesystem::path& to) {
  const auto temp = to.parent_path() / ("." + to.filename().string() + ".tmp");
  std::filesystem::copy_file(from, temp, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::rename(temp, to);
}

struct ReloadFolders {
  TempDir dir;
  std::filesystem::path plugins = dir.path() / "plugins";
  std::filesystem::path agents = dir.path() / "agents";
  std::filesystem::path echo = plugins / "echo.so";

  explicit ReloadFolders(const std::string& echo_build = "echo_v1") {
    dir.copy(fixture_plugin("plain_c_personality"), "plugins/plain_c_personality.so");
    dir.copy(fixture_plugin("gatekeeper_domain"), "plugins/gatekeeper_domain.so");
    dir.copy(fixture_plugin(echo_build), "plugins/echo.so");
    dir.write("agents/a.json", reload_agent("a").dump());
    std::filesystem::create_directories(agents);
  }
};

// True while `file` (an absolute path) is mapped in this process. RTLD_NOLOAD never loads it.
inline bool is_mapped(const std::filesystem::path& file) {
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (handle == nullptr) return false;
  dlclose(handle);  // drops the reference NOLOAD added
  return true;
}

}  // namespace agent_test
