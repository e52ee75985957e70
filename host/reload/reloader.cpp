#include "reload/reloader.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>

#include "agents/agent_folder.h"
#include "observability/host_metrics.h"
#include "plugins/folder_files.h"

namespace agent_host::reload {
namespace {

using plugins::PluginLibrary;
using plugins::PluginSet;

std::string describe(const PluginLibrary& library) {
  const auto& info = library.info();
  return std::string(to_string(info.kind)) + " " + info.id + " " + info.version + " (generation " +
         std::to_string(info.generation) + ") from " + info.file.string();
}

std::shared_ptr<const PluginLibrary> library_of_file(const PluginSet& set,
                                                     const std::filesystem::path& file) {
  for (const auto& [key, library] : set.plugins) {
    if (library->info().file == file) return library;
  }
  return nullptr;
}

}  // namespace

Reloader::Reloader(ReloadOptions options, plugins::PluginRegistry& plugins,
                   agents::AgentRegistry& agents, const plugins::HostServices& services)
    : options_(std::move(options)),
      plugins_(plugins),
      agents_(agents),
      services_(services),
      cache_(options_.cache_parent) {
  if (!options_.trusted_keys.empty()) verifier_.emplace(options_.trusted_keys);
}

Reloader::~Reloader() {
  // Drop what this object holds before the cache folder goes; the registries may still hold
  // the current generations (they are owned by the host and outlive us only briefly).
  std::lock_guard lock(draining_mutex_);
  retired_agents_.clear();
  draining_.clear();
}

namespace {

// What changes when a file is rewritten in place (size, mtime) or renamed over (inode).
std::string file_stamp(const std::filesystem::path& file) {
  struct stat st {};
  if (stat(file.c_str(), &st) != 0) return "";
  return std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_dev) + ":" +
         std::to_string(st.st_ino);
}

}  // namespace

std::string Reloader::current_hash(const std::filesystem::path& file) {
  const std::string stamp = file_stamp(file);
  if (const auto it = hashed_.find(file);
      it != hashed_.end() && !stamp.empty() && it->second.stamp == stamp) {
    return it->second.sha256;
  }
  std::string sha256 = plugins::read_plugin_file(file).sha256;
  hashed_[file] = {stamp, sha256};
  return sha256;
}

std::string Reloader::content_key(const std::filesystem::path& file,
                                  const std::string& sha256) const {
  if (!verifier_) return sha256;
  // With signatures, a new .sig beside the same bytes deserves another try.
  std::ifstream in(plugins::signature_file(file), std::ios::binary);
  return sha256 + ":" + std::string(std::istreambuf_iterator<char>(in), {});
}

std::shared_ptr<const PluginLibrary> Reloader::load_file(const std::filesystem::path& file,
                                                         PluginSet& set, ReloadSummary& summary) {
  auto refuse = [&](const std::string& sha256, const std::string& reason) {
    const std::string key = content_key(file, sha256);
    const auto known = refusals_.find(file);
    const bool is_new =
        known == refusals_.end() || known->second.content != key || known->second.reason != reason;
    refusals_[file] = {key, reason};
    set.refuse(file, reason);
    if (is_new) {
      spdlog::error("plugins: refused {}: {}", file.string(), reason);
      summary.refused.push_back(file.string() + ": " + reason);
    }
    return nullptr;
  };

  const std::string stamp = file_stamp(file);
  if (const auto hashed = hashed_.find(file);
      hashed != hashed_.end() && !stamp.empty() && hashed->second.stamp == stamp) {
    const auto known = refusals_.find(file);
    if (known != refusals_.end() &&
        known->second.content == content_key(file, hashed->second.sha256)) {
      set.refuse(file, known->second.reason);  // same bad bytes: not read again
      return nullptr;
    }
  }
  plugins::PluginBytes bytes;
  try {
    bytes = plugins::read_plugin_file(file);
  } catch (const std::exception& e) {
    return refuse("", e.what());
  }
  hashed_[file] = {stamp, bytes.sha256};
  if (const auto known = refusals_.find(file);
      known != refusals_.end() && known->second.content == content_key(file, bytes.sha256)) {
    set.refuse(file, known->second.reason);  // same bad bytes: not retried
    return nullptr;
  }
  if (verifier_) {
    if (auto reason = verifier_->check(bytes, plugins::signature_file(file))) {
      return refuse(bytes.sha256, *reason);
    }
  }
  std::filesystem::path copy;
  try {
    copy = cache_.store(bytes);
  } catch (const std::exception& e) {
    return refuse(bytes.sha256, e.what());
  }
  const std::uint64_t generation = generations_[file] + 1;
  plugins::LoadResult result =
      plugins::load_plugin(copy, plugins::PluginOrigin{file, bytes.sha256, generation});
  if (result.refusal) return refuse(bytes.sha256, result.refusal->reason);
  generations_[file] = generation;
  refusals_.erase(file);
  for (const auto& warning : result.plugin->info().warnings) {
    spdlog::warn("plugins: {}: {}", file.string(), warning);
  }
  return result.plugin;
}

PluginSet Reloader::load_plugins(const PluginSet& previous, ReloadSummary& summary) {
  PluginSet set;
  std::error_code ec;
  const auto files = plugins::folder_files(options_.plugins_dir, ".so", ec);
  if (ec) {
    // An unreadable folder is not "every plugin removed": keep serving what runs.
    spdlog::error("plugins: cannot read directory {}: {}", options_.plugins_dir.string(),
                  ec.message());
    return previous;
  }
  for (const auto& file : files) {
    const auto running = library_of_file(previous, file);
    std::shared_ptr<const PluginLibrary> library;
    if (running) {
      // Unchanged bytes keep their generation.
      try {
        if (current_hash(file) == running->info().sha256) library = running;
      } catch (const std::exception&) {
        library = running;  // vanished mid-pass: the next pass sees the removal
      }
    }
    if (!library) library = load_file(file, set, summary);
    if (!library) {
      if (running)
        library = running;  // a bad new version: the running one keeps serving
      else
        continue;
    }
    if (set.add(library) && library != running) summary.loaded.push_back(describe(*library));
  }
  return set;
}

ReloadSummary Reloader::reload() {
  std::lock_guard lock(reload_mutex_);
  ReloadSummary summary;
  const auto old_plugins = plugins_.current();
  const auto old_agents = agents_.current();
  PluginSet plugin_set = load_plugins(*old_plugins, summary);

  // A new version whose create() fails for an agent that was served is refused: the old
  // library goes back in and the pass runs again (bounded by the number of libraries).
  agents::AgentFolderPass pass;
  for (std::size_t attempt = 0;; ++attempt) {
    pass = agents::reload_agent_directory(options_.agents_dir, plugin_set, *old_agents, services_);
    bool reverted = false;
    for (const auto& blocked : pass.blocked) {
      for (const auto& old_library : blocked.changed) {
        const auto& info = old_library->info();
        const auto key = std::make_pair(info.kind, info.id);
        const auto it = plugin_set.plugins.find(key);
        if (it == plugin_set.plugins.end()) continue;  // removed, not replaced: stays removed
        const auto bad = it->second;
        const std::string reason = "new version refused, generation " +
                                   std::to_string(info.generation) + " keeps serving: agent '" +
                                   blocked.agent_id + "': " + blocked.reason;
        spdlog::error("plugins: refused {}: {}", bad->info().file.string(), reason);
        summary.refused.push_back(bad->info().file.string() + ": " + reason);
        refusals_[bad->info().file] = {content_key(bad->info().file, bad->info().sha256), reason};
        plugin_set.refuse(bad->info().file, reason);
        summary.loaded.erase(
            std::remove(summary.loaded.begin(), summary.loaded.end(), describe(*bad)),
            summary.loaded.end());
        it->second = old_library;
        reverted = true;
      }
    }
    if (!reverted || attempt > plugin_set.plugins.size()) break;
  }

  auto new_plugins = std::make_shared<const PluginSet>(std::move(plugin_set));
  auto new_agents = std::make_shared<const agents::AgentSet>(std::move(pass.set));
  // Agents first: from here on no request can lease an agent on a retired generation.
  agents_.publish(new_agents);
  plugins_.publish(new_plugins);
  retire(*old_plugins, *old_agents, *new_plugins, *new_agents, summary);
  summary.plugins = new_plugins->plugins.size();
  summary.agents = new_agents->agents.size();
  for (const auto& line : summary.loaded) spdlog::info("plugins: loaded {}", line);
  auto& metrics = observability::host_metrics();
  metrics.plugin_loads.inc(summary.loaded.size());
  metrics.plugin_refusals.inc(summary.refused.size());
  reap();
  return summary;
}

void Reloader::retire(const PluginSet& old_plugins, const agents::AgentSet& old_agents,
                      const PluginSet& new_plugins, const agents::AgentSet& new_agents,
                      ReloadSummary& summary) {
  std::set<const agents::Agent*> kept;
  for (const auto& [id, agent] : new_agents.agents) kept.insert(agent.get());
  std::set<const PluginLibrary*> published;
  for (const auto& [key, library] : new_plugins.plugins) published.insert(library.get());

  std::lock_guard lock(draining_mutex_);
  for (const auto& [id, agent] : old_agents.agents) {
    if (kept.count(agent.get()) != 0) continue;
    agent->quiesce();  // in-flight calls may still finish; no new request can reach it
    retired_agents_.push_back(agent);
  }
  const auto now = std::chrono::system_clock::now();
  for (const auto& [key, library] : old_plugins.plugins) {
    if (published.count(library.get()) != 0) continue;
    summary.unloaded.push_back(describe(*library));
    spdlog::info("plugins: retiring {}", describe(*library));
    draining_.push_back(
        {{library, now, ""}, std::chrono::steady_clock::now() + options_.unload_deadline});
  }
}

void Reloader::reap() {
  std::vector<std::shared_ptr<const agents::Agent>> released_agents;
  std::vector<std::shared_ptr<const PluginLibrary>> released;
  {
    std::lock_guard lock(draining_mutex_);
    auto agent_done = std::partition(retired_agents_.begin(), retired_agents_.end(),
                                     [](const auto& agent) { return agent->leases() > 0; });
    released_agents.assign(std::make_move_iterator(agent_done),
                           std::make_move_iterator(retired_agents_.end()));
    retired_agents_.erase(agent_done, retired_agents_.end());

    const auto now = std::chrono::steady_clock::now();
    for (auto it = draining_.begin(); it != draining_.end();) {
      const auto leases = it->generation.library->leases();
      if (leases == 0) {
        released.push_back(std::move(it->generation.library));
        it = draining_.erase(it);
        continue;
      }
      if (now >= it->deadline && it->generation.refusal.empty()) {
        it->generation.refusal = "unload deferred: " + std::to_string(leases) +
                                 " request(s) still in flight after the unload deadline of " +
                                 std::to_string(options_.unload_deadline.count()) +
                                 " ms; the generation stays loaded until they end";
        spdlog::warn("plugins: {}: {}", describe(*it->generation.library), it->generation.refusal);
      }
      ++it;
    }
  }
  // Destroy instances and unload outside the lock (destroy() and dlclose run plugin code).
  released_agents.clear();
  for (auto& library : released) {
    const std::string what = describe(*library);
    const bool last = library.use_count() == 1;
    library.reset();
    if (last) spdlog::info("plugins: unloaded {}", what);
  }
}

std::vector<DrainingGeneration> Reloader::draining() const {
  std::lock_guard lock(draining_mutex_);
  std::vector<DrainingGeneration> out;
  for (const auto& retired : draining_) out.push_back(retired.generation);
  return out;
}

}  // namespace agent_host::reload
