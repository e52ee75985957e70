// The agents the host serves, published as immutable snapshots like the plugins. Building an
// agent creates its plugin instances; an agent whose definition or plugins fail is refused with
// the reason, and the others are served.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agents/agent.h"
#include "plugins/host_services.h"
#include "plugins/plugin_registry.h"

namespace agent_host::agents {

struct AgentRefusal {
  std::string agent_id;  // may be empty when the file could not be parsed
  std::filesystem::path file;
  std::string reason;
  // The definition is valid but the agent cannot be built now (a plugin is missing or its
  // create() fails): requests get 503 agent_unavailable rather than 404.
  bool unavailable = false;
};

struct AgentSet {
  std::map<std::string, std::shared_ptr<const Agent>> agents;
  std::vector<AgentRefusal> refused;
  // Agent id -> the text of the file the served agent was built from (lets a reload keep agents
  // whose file and plugins did not change).
  std::map<std::string, std::string> sources;

  // The refusal of an agent whose definition is valid but which cannot be served, if any.
  const AgentRefusal* unavailable(const std::string& id) const;
};

// Builds one agent from its definition. Throws std::runtime_error with a reason naming the
// missing plugin, or the plugin file and its own reason when create() fails.
std::shared_ptr<const Agent> build_agent(const AgentDefinition& definition,
                                         const plugins::PluginSet& plugins,
                                         const plugins::HostServices& services);

// Reads every "*.json" file of `directory` (in name order) and builds the agents.
AgentSet load_agent_directory(const std::filesystem::path& directory,
                              const plugins::PluginSet& plugins,
                              const plugins::HostServices& services);

class AgentRegistry {
 public:
  std::shared_ptr<const AgentSet> current() const;
  // A lease on one agent, or null when no such agent is served. The lease is counted (on the
  // agent and its libraries) until the last copy of the returned pointer is gone.
  std::shared_ptr<const Agent> find(const std::string& id) const;
  void publish(std::shared_ptr<const AgentSet> set);

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const AgentSet> current_ = std::make_shared<const AgentSet>();
};

}  // namespace agent_host::agents
