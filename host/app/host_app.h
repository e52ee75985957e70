// The composition root: builds the registries, the store, the turn pipeline and the HTTP server
// from a HostConfig, and owns them for the life of the process. Tests run a whole host
// in-process through this class.
#pragma once

#include <chrono>
#include <memory>

#include "agents/agent_registry.h"
#include "agents/turn_pipeline.h"
#include "app/host_config.h"
#include "app/sessions_and_cache.h"
#include "http/disconnect_watcher.h"
#include "http/http_server.h"
#include "http/router.h"
#include "http_client/call_registry.h"
#include "http_client/http_client.h"
#include "limits/host_limits.h"
#include "plugins/plugin_registry.h"
#include "reload/folder_watcher.h"
#include "reload/reloader.h"
#include "security/authenticator.h"
#include "store/conversation_store.h"

namespace agent_host::app {

class HostApp {
 public:
  // Loads plugins and agents (refusals are logged and listed, never fatal) and binds the socket.
  // Throws when the socket cannot be bound, and security::AuthConfigError when the auth config
  // is unusable or a non-loopback bind has no auth (and no --insecure).
  explicit HostApp(HostConfig config);
  ~HostApp();
  HostApp(const HostApp&) = delete;
  HostApp& operator=(const HostApp&) = delete;

  void start();
  void stop();

  unsigned port() const { return server_->port(); }
  const plugins::PluginRegistry& plugins() const noexcept { return plugins_; }
  const agents::AgentRegistry& agents() const noexcept { return agents_; }
  reload::Reloader& reloader() noexcept { return *reloader_; }
  // The route table as served (GET /openapi.json is checked against it).
  const http::Router& router() const noexcept { return router_; }

 private:
  const HostConfig config_;
  const std::chrono::steady_clock::time_point started_at_ = std::chrono::steady_clock::now();
  plugins::SecretStore secrets_;
  // Declared before the registries, so they outlive every plugin instance that uses them.
  http_client::CallRegistry calls_;
  http_client::HttpClient http_client_;
  plugins::PluginRegistry plugins_;
  agents::AgentRegistry agents_;
  // Hot reload: loads plugins and agents at start and on change (declared after the registries
  // it publishes to; the watcher, which calls it, is declared after it).
  std::unique_ptr<reload::Reloader> reloader_;
  std::unique_ptr<reload::FolderWatcher> watcher_;
  std::unique_ptr<store::ConversationStore> conversations_;  // the durable store
  std::unique_ptr<SessionsAndCache> state_;                  // sessions, the cache in front
  std::unique_ptr<limits::HostLimits> limits_;               // rate limits, token budgets, CORS
  std::unique_ptr<agents::TurnPipeline> pipeline_;
  http::DisconnectWatcher disconnects_;  // outlives the server, whose handlers use it
  std::unique_ptr<security::Authenticator> authenticator_;  // null when auth is off
  http::Router router_;
  std::unique_ptr<http::HttpServer> server_;
};

}  // namespace agent_host::app
