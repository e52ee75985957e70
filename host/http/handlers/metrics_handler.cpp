// GET /metrics: the Prometheus text exposition format (0.0.4). The registry's families first
// (recorded as requests, turns and reloads happen), then gauges sampled now from the server and
// the registries, which cost nothing to keep up to date between scrapes.
#include "http/handlers/handlers.h"
#include "observability/host_metrics.h"
#include "observability/metrics_text.h"

namespace agent_host::http::handlers {
namespace {

void sampled_gauge(std::string& out, const char* name, const char* help, double value) {
  observability::write_family_head(out, name, help, "gauge");
  observability::write_sample(out, name, {}, value);
}

}  // namespace

void add_metrics_routes(Router& router, const ApiServices& services) {
  router.add("GET", "/metrics", [services](RequestContext& context) {
    std::string text = observability::host_metrics().registry.render();
    if (services.server_load) {
      const ServerLoad load = services.server_load();
      sampled_gauge(text, "agent_host_http_queued_connections",
                    "Accepted connections waiting for a worker thread", load.queued_connections);
      sampled_gauge(text, "agent_host_http_threads", "HTTP worker threads", load.threads);
    }
    const auto plugins = services.plugins.current();
    const auto agents = services.agents.current();
    sampled_gauge(text, "agent_host_plugins_loaded", "Plugins served now",
                  static_cast<double>(plugins->plugins.size()));
    sampled_gauge(text, "agent_host_plugins_refused", "Plugin files refused in the current set",
                  static_cast<double>(plugins->refused.size()));
    sampled_gauge(text, "agent_host_agents_served", "Agents served now",
                  static_cast<double>(agents->agents.size()));
    sampled_gauge(text, "agent_host_agents_refused", "Agent definitions refused now",
                  static_cast<double>(agents->refused.size()));
    if (services.reloader != nullptr) {
      sampled_gauge(text, "agent_host_plugin_generations_draining",
                    "Replaced plugin generations still loaded, waiting for their last lease",
                    static_cast<double>(services.reloader->draining().size()));
    }

    context.response().set("Cache-Control", "no-store");
    context.send_body(200, "text/plain; version=0.0.4; charset=utf-8", text);
  });
}

}  // namespace agent_host::http::handlers
