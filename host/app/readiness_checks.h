// The checks of GET /ready for this host's composition (README "Observability"): the store, the
// data directory's free space, the plugins and agents, each external dependency (Redis), the LLM
// providers' last results.
#pragma once

#include <vector>

#include "agents/agent_registry.h"
#include "app/host_config.h"
#include "http/api.h"
#include "observability/readiness.h"
#include "plugins/plugin_registry.h"
#include "store/conversation_store.h"

namespace agent_host::app {

// What the checks refer to must outlive them.
std::vector<observability::ReadinessCheck> make_readiness_checks(
    const HostConfig& config, const store::ConversationStore& durable,
    const std::vector<http::NamedDependency>& dependencies, const plugins::PluginRegistry& plugins,
    const agents::AgentRegistry& agents);

}  // namespace agent_host::app
