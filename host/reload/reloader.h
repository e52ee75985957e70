// Hot reload: brings the served plugins and agents in line with the plugins and agents folders
// while the host serves.
//
// A pass (reload()) hashes every plugin file; a new or changed one is copied to the plugin cache
// under its hash and loaded beside the running generation; agents whose file or libraries
// changed are rebuilt; then the new agent set and plugin set are published atomically. Requests
// hold counted leases on the agents they started with, so they finish on the generation they
// started on. Replaced agents are quiesced and their generation is unloaded once its last lease
// ends; past the unload deadline it stays loaded and the refusal is reported (never a forced
// unload). A bad new version (refused by the loader, by the signature check, or whose create()
// fails for an agent that was served) is refused and the running generation keeps serving.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agents/agent_registry.h"
#include "plugins/host_services.h"
#include "plugins/plugin_cache.h"
#include "plugins/plugin_registry.h"
#include "plugins/plugin_signature.h"

namespace agent_host::reload {

struct ReloadOptions {
  std::filesystem::path plugins_dir;
  std::filesystem::path agents_dir;
  std::filesystem::path cache_parent;  // empty: the system temporary folder
  std::chrono::milliseconds unload_deadline{30000};
  std::vector<std::filesystem::path> trusted_keys;  // PEM public keys; empty: no signatures
};

// What one pass did, for logs and POST /admin/plugins/reload.
struct ReloadSummary {
  std::vector<std::string> loaded;    // "provider echo 1.0.0 (generation 2) from <file>"
  std::vector<std::string> unloaded;  // generations retired by this pass
  std::vector<std::string> refused;   // "<file>: <reason>" for refusals new in this pass
  std::size_t plugins = 0;
  std::size_t agents = 0;
};

// A generation no longer published but still loaded: its last leases have not ended yet.
struct DrainingGeneration {
  std::shared_ptr<const plugins::PluginLibrary> library;
  std::chrono::system_clock::time_point retired_at;
  std::string refusal;  // set once the unload deadline passed with leases in flight
};

class Reloader {
 public:
  // Throws std::runtime_error when the cache folder cannot be created or a trusted key cannot
  // be read. Everything `services` refers to must outlive the reloader.
  Reloader(ReloadOptions options, plugins::PluginRegistry& plugins, agents::AgentRegistry& agents,
           const plugins::HostServices& services);
  ~Reloader();
  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;

  // One pass over both folders (serialised; safe from any thread).
  ReloadSummary reload();
  // Unloads drained generations and reports those past the deadline. Cheap; called often.
  void reap();

  // Generations still loaded after being replaced or removed (GET /plugins).
  std::vector<DrainingGeneration> draining() const;
  const ReloadOptions& options() const noexcept { return options_; }
  bool signatures_required() const noexcept { return verifier_.has_value(); }

 private:
  plugins::PluginSet load_plugins(const plugins::PluginSet& previous, ReloadSummary& summary);
  std::shared_ptr<const plugins::PluginLibrary> load_file(const std::filesystem::path& file,
                                                          plugins::PluginSet& set,
                                                          ReloadSummary& summary);
  void retire(const plugins::PluginSet& old_plugins, const agents::AgentSet& old_agents,
              const plugins::PluginSet& new_plugins, const agents::AgentSet& new_agents,
              ReloadSummary& summary);

  const ReloadOptions options_;
  plugins::PluginRegistry& plugins_;
  agents::AgentRegistry& agents_;
  const plugins::HostServices services_;
  // Declared before anything holding libraries loaded from it: removed last.
  plugins::PluginCache cache_;
  std::optional<plugins::SignatureVerifier> verifier_;

  std::mutex reload_mutex_;                                     // one pass at a time
  std::map<std::filesystem::path, std::uint64_t> generations_;  // last generation per file
  // The refusal of the content a file has now, so an unchanged bad file is not retried.
  struct KnownRefusal {
    std::string content;  // content_key() of the refused bytes
    std::string reason;
  };
  std::string content_key(const std::filesystem::path& file, const std::string& sha256) const;
  // The file's SHA-256, re-read only when its size, mtime or inode changed since last hashed
  // (a pass over unchanged files reads nothing). Throws std::runtime_error when unreadable.
  std::string current_hash(const std::filesystem::path& file);
  struct Hashed {
    std::string stamp;  // size, mtime and inode
    std::string sha256;
  };
  std::map<std::filesystem::path, Hashed> hashed_;
  std::map<std::filesystem::path, KnownRefusal> refusals_;

  mutable std::mutex draining_mutex_;
  struct Retired {
    DrainingGeneration generation;
    std::chrono::steady_clock::time_point deadline;
  };
  std::vector<Retired> draining_;
  std::vector<std::shared_ptr<const agents::Agent>> retired_agents_;
};

}  // namespace agent_host::reload
