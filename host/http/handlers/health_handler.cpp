// GET /health: liveness plus a summary of what is loaded, cheap enough to poll.
#include "http/handlers/handlers.h"

namespace agent_host::http::handlers {

void add_health_routes(Router& router, const ApiServices& services) {
  router.add("GET", "/health", [services](RequestContext& context) {
    const auto agents = services.agents.current();
    const auto plugins = services.plugins.current();
    const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - services.started_at);
    // Refused files do not make the host unhealthy: it serves everything else.
    context.send_json(200, {{"status", "ok"},
                            {"version", AGENT_HOST_VERSION},
                            {"uptime_seconds", uptime.count()},
                            {"agents", agents->agents.size()},
                            {"agents_refused", agents->refused.size()},
                            {"plugins", plugins->plugins.size()},
                            {"plugins_refused", plugins->refused.size()}});
  });
}

}  // namespace agent_host::http::handlers
