// GET /health (liveness) and GET /ready (readiness), README "Observability".
// /health: a summary of what is loaded and the state of external dependencies, cheap enough to
// poll (a dependency's state is what its client last saw, no network call). Always 200 while the
// host serves: a degraded dependency is reported in the body ("status": "degraded").
// /ready: one check per dependency; 503 when a required one fails, so a load balancer stops
// sending traffic to this host until it recovers.
#include "http/handlers/handlers.h"
#include "http/iso_time.h"

namespace agent_host::http::handlers {

void add_health_routes(Router& router, const ApiServices& services) {
  router.add("GET", "/health", [services](RequestContext& context) {
    const auto agents = services.agents.current();
    const auto plugins = services.plugins.current();
    const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - services.started_at);
    nlohmann::json dependencies = nlohmann::json::object();
    bool degraded = false;
    for (const auto& dependency : services.dependencies) {
      const auto state = dependency.status();
      nlohmann::json item = {{"status", state.ok ? "ok" : "degraded"},
                             {"since", iso8601_ms(state.since_ms)}};
      if (!state.last_error.empty()) item["last_error"] = state.last_error;
      dependencies[dependency.name] = std::move(item);
      degraded = degraded || !state.ok;
    }
    // Refused files do not make the host unhealthy: it serves everything else.
    context.send_json(200, {{"status", degraded ? "degraded" : "ok"},
                            {"version", AGENT_HOST_VERSION},
                            {"uptime_seconds", uptime.count()},
                            {"agents", agents->agents.size()},
                            {"agents_refused", agents->refused.size()},
                            {"plugins", plugins->plugins.size()},
                            {"plugins_refused", plugins->refused.size()},
                            {"dependencies", std::move(dependencies)}});
  });

  router.add("GET", "/ready", [services](RequestContext& context) {
    const auto report = observability::run_readiness(services.readiness);
    // A load balancer polls often: never let an answer be cached.
    context.response().set("Cache-Control", "no-store");
    context.send_json(report.ready ? 200 : 503, report.body);
  });
}

}  // namespace agent_host::http::handlers
