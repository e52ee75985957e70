#include "app/host_app.h"

#include <spdlog/spdlog.h>

#include "http/api.h"
#include "store/store_factory.h"

namespace agent_host::app {

HostApp::HostApp(HostConfig config)
    : config_(std::move(config)), secrets_(config_.secrets), http_client_(config_.http_client) {
  spdlog::info("host: agent-host {} (plugin ABI {}), plugins from {}, agents from {}",
               AGENT_HOST_VERSION, plugins::host_abi().to_string(), config_.plugins_dir.string(),
               config_.agents_dir.string());
  auto plugin_set = std::make_shared<const plugins::PluginSet>(
      plugins::load_plugin_directory(config_.plugins_dir));
  plugins_.publish(plugin_set);
  agents_.publish(std::make_shared<const agents::AgentSet>(agents::load_agent_directory(
      config_.agents_dir, *plugin_set, plugins::HostServices{secrets_, &http_client_, &calls_})));
  const auto agent_set = agents_.current();
  spdlog::info("host: {} plugins loaded ({} refused), {} agents served ({} refused)",
               plugin_set->plugins.size(), plugin_set->refused.size(), agent_set->agents.size(),
               agent_set->refused.size());

  conversations_ = store::make_conversation_store(config_.store, secrets_);
  pipeline_ = std::make_unique<agents::TurnPipeline>(*conversations_);
  http::register_api_routes(router_, http::ApiServices{agents_, plugins_, *conversations_,
                                                       *pipeline_, disconnects_, started_at_});
  server_ = std::make_unique<http::HttpServer>(router_, config_.http);
}

HostApp::~HostApp() { stop(); }

void HostApp::start() { server_->start(); }

void HostApp::stop() {
  if (server_) server_->stop();
}

}  // namespace agent_host::app
