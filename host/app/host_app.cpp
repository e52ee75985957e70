#include "app/host_app.h"

#include <spdlog/spdlog.h>

#include "app/readiness_checks.h"
#include "http/api.h"
#include "security/auth_filter.h"
#include "security/bind_exposure.h"
#include "store/store_factory.h"

namespace agent_host::app {

HostApp::HostApp(HostConfig config)
    : config_(std::move(config)), secrets_(config_.secrets), http_client_(config_.http_client) {
  security::check_bind_exposure(config_.http.bind, config_.auth.enabled, config_.insecure);
  if (config_.auth.enabled) {
    authenticator_ = security::make_authenticator(config_.auth, secrets_);
    spdlog::info(
        "host: authentication on: {} API keys, JWT {}", config_.auth.api_keys.size(),
        config_.auth.jwt ? "accepted (iss " + config_.auth.jwt->rules.issuer + ")" : "off");
  } else if (config_.insecure) {
    spdlog::warn("host: --insecure: serving {} without authentication", config_.http.bind);
  }
  spdlog::info("host: agent-host {} (plugin ABI {}), plugins from {}, agents from {}",
               AGENT_HOST_VERSION, plugins::host_abi().to_string(), config_.plugins_dir.string(),
               config_.agents_dir.string());
  reloader_ = std::make_unique<reload::Reloader>(
      reload::ReloadOptions{config_.plugins_dir, config_.agents_dir, config_.reload.cache_dir,
                            config_.reload.unload_deadline, config_.trusted_keys},
      plugins_, agents_, plugins::HostServices{secrets_, &http_client_, &calls_});
  reloader_->reload();
  const auto plugin_set = plugins_.current();
  const auto agent_set = agents_.current();
  spdlog::info("host: {} plugins loaded ({} refused), {} agents served ({} refused)",
               plugin_set->plugins.size(), plugin_set->refused.size(), agent_set->agents.size(),
               agent_set->refused.size());

  conversations_ = store::make_conversation_store(config_.store, secrets_);
  state_ = std::make_unique<SessionsAndCache>(config_, secrets_, *conversations_);
  limits_ = std::make_unique<limits::HostLimits>(config_.limits, state_->redis(),
                                                 config_.redis ? config_.redis->key_prefix : "");
  pipeline_ = std::make_unique<agents::TurnPipeline>(state_->conversations(), &state_->sessions(),
                                                     &limits_->budgets());
  // Authentication is the first filter: rate limits and handlers see its principal.
  if (authenticator_) router_.add_filter(security::make_auth_filter(*authenticator_));
  auto dependencies = state_->dependencies();
  auto readiness = make_readiness_checks(config_, *conversations_, dependencies, plugins_, agents_);
  http::register_api_routes(
      router_,
      http::ApiServices{
          agents_, plugins_, state_->conversations(), *pipeline_, disconnects_, started_at_,
          reloader_.get(), admin_routes_enabled(config_), std::move(dependencies),
          std::move(readiness), [this] {
            return http::ServerLoad{server_->queued_connections(), server_->current_threads()};
          }});
  limits_->install(router_);
  server_ = std::make_unique<http::HttpServer>(router_, config_.http);
}

HostApp::~HostApp() { stop(); }

void HostApp::start() {
  server_->start();
  // Always running: besides watching, it unloads drained generations after admin reloads.
  std::vector<std::filesystem::path> folders;
  if (config_.reload.watch) folders = {config_.plugins_dir, config_.agents_dir};
  watcher_ = std::make_unique<reload::FolderWatcher>(
      folders, config_.reload.debounce, [this] { reloader_->reload(); },
      [this] { reloader_->reap(); });
}

void HostApp::stop() {
  watcher_.reset();
  if (server_) server_->stop();
}

}  // namespace agent_host::app
