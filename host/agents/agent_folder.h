// One pass over the agents folder against a (new) plugin set, reusing what did not change: an
// agent whose file text and plugin libraries are the same as in the previous set is kept as is
// (same object, same instances), so a reload touches only the agents it has to.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "agents/agent_registry.h"

namespace agent_host::agents {

// A served agent that cannot be rebuilt on a library that changed under it: the caller decides
// whether to keep the old library (a bad new plugin version) and run the pass again.
struct BlockedRebuild {
  std::string agent_id;
  std::string reason;
  // Libraries the previous agent ran on that `plugins` no longer has (replaced or removed).
  std::vector<std::shared_ptr<const plugins::PluginLibrary>> changed;
};

struct AgentFolderPass {
  AgentSet set;
  std::vector<BlockedRebuild> blocked;
};

// Reads every "*.json" file of `directory` (name order). For each agent:
// - unchanged file and libraries: the previous agent is kept;
// - otherwise it is built; when that fails and the previous agent still runs only on libraries
//   of `plugins`, the previous agent keeps serving and the refusal is listed;
// - when it fails and some of the previous agent's libraries changed, the failure is also
//   listed in `blocked`; the agent is refused (unavailable) in `set`.
AgentFolderPass reload_agent_directory(const std::filesystem::path& directory,
                                       const plugins::PluginSet& plugins, const AgentSet& previous,
                                       const plugins::HostServices& services);

}  // namespace agent_host::agents
