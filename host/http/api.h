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
#include "observability/readiness.h"
#include "plugins/plugin_registry.h"
#include "reload/reloader.h"
#include "store/conversation_store.h"

namespace agent_host::http {

// An external dependency /health reports on (Redis; the database when there is one).
struct NamedDependency {
  std::string name;
  std::function<observability::DependencyStatus()> status;
};

// What GET /metrics samples from the HTTP server at scrape time.
struct ServerLoad {
  int queued_connections = 0;  // accepted, waiting for a worker thread
  int threads = 0;             // worker threads now
};

struct ApiServices {
  agents::AgentRegistry& agents;
  plugins::PluginRegistry& plugins;
  store::ConversationStore& conversations;
  agents::TurnPipeline& pipeline;
  DisconnectWatcher& disconnects;
  std::chrono::steady_clock::time_point started_at;
  // Hot reload (GET /plugins draining generations, /admin/*); null in hosts without it.
  reload::Reloader* reloader = nullptr;
  // POST /admin/plugins/reload and /admin/agents[/{id}] are registered only when true.
  bool admin_enabled = false;
  std::vector<NamedDependency> dependencies = {};
  // GET /ready's checks (store, Redis, disk, plugins, providers), built by the composition root.
  std::vector<observability::ReadinessCheck> readiness = {};
  // The server's queue and threads for GET /metrics (empty in hosts without a server).
  std::function<ServerLoad()> server_load = {};
};

// GET /health, /ready, /metrics, /openapi.json, /docs, /agents, /agents/{id}, /plugins,
// /conversations/{id}; POST /agents/{id}/chat; the admin routes when enabled.
void register_api_routes(Router& router, const ApiServices& services);

}  // namespace agent_host::http
