// The HTTP API: what the handlers may use (registries and stores, never a .so or a database
// directly) and the one call that registers every route.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "agents/agent_registry.h"
#include "agents/turn_pipeline.h"
#include "http/disconnect_watcher.h"
#include "http/router.h"
#include "observability/dependency_status.h"
#include "plugins/plugin_registry.h"
#include "store/conversation_store.h"

namespace agent_host::http {

// An external dependency /health reports on (Redis; the database when there is one).
struct NamedDependency {
  std::string name;
  std::function<observability::DependencyStatus()> status;
};

struct ApiServices {
  agents::AgentRegistry& agents;
  plugins::PluginRegistry& plugins;
  store::ConversationStore& conversations;
  agents::TurnPipeline& pipeline;
  DisconnectWatcher& disconnects;
  std::chrono::steady_clock::time_point started_at;
  std::vector<NamedDependency> dependencies = {};
};

// GET /health, /agents, /agents/{id}, /plugins, /conversations/{id}; POST /agents/{id}/chat.
void register_api_routes(Router& router, const ApiServices& services);

}  // namespace agent_host::http
