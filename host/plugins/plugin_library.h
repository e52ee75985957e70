// One plugin file, loaded and validated. While this object lives the library stays mapped; every
// instance created from it holds a shared reference, so the code cannot be unmapped under a call.
#pragma once

#include <agent_sdk/agent_plugin.h>

#include <atomic>
#include <boost/dll/shared_library.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "plugins/abi_version.h"
#include "plugins/manifest.h"
#include "plugins/plugin_kind.h"

namespace agent_host::plugins {

struct PluginInfo {
  std::filesystem::path file;         // the operator's file (in the plugins folder)
  std::filesystem::path loaded_from;  // what was dlopen'ed: `file` or its content-addressed copy
  std::string sha256;                 // of the loaded bytes; empty when loaded in place
  std::uint64_t generation = 0;       // 1, 2, ... per load of `file`; 0 when loaded in place
  PluginKind kind = PluginKind::personality;
  std::string id;
  std::string version;
  AbiVersion abi;
  std::uint32_t flags = 0;
  Manifest manifest;
  std::chrono::system_clock::time_point loaded_at;
  // Build-rule violations that do not prevent loading (shown by GET /plugins and check-plugin).
  std::vector<std::string> warnings;

  bool thread_safe() const noexcept { return (flags & AGENT_PLUGIN_FLAG_THREAD_SAFE) != 0; }
};

class PluginLibrary {
 public:
  // `descriptor` points into `library`; it is copied (up to its declared size, the rest zeroed).
  PluginLibrary(boost::dll::shared_library library, const agent_plugin_descriptor& descriptor,
                PluginInfo info);
  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  const PluginInfo& info() const noexcept { return info_; }
  const agent_plugin_descriptor& descriptor() const noexcept { return descriptor_; }

  // Requests in flight on agents built from this library (see agents::AgentRegistry::find).
  // Counted explicitly because shared_ptr::use_count also counts snapshots and builders.
  void acquire_lease() const noexcept { leases_.fetch_add(1, std::memory_order_relaxed); }
  void release_lease() const noexcept { leases_.fetch_sub(1, std::memory_order_acq_rel); }
  std::int64_t leases() const noexcept { return leases_.load(std::memory_order_acquire); }

 private:
  boost::dll::shared_library library_;  // declared first: unloaded last
  agent_plugin_descriptor descriptor_{};
  PluginInfo info_;
  mutable std::atomic<std::int64_t> leases_{0};
};

}  // namespace agent_host::plugins
