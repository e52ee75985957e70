// GET /agents and GET /agents/{id}.
#include "http/api_error.h"
#include "http/handlers/agent_lease.h"
#include "http/handlers/handlers.h"

namespace agent_host::http::handlers {

void add_agent_routes(Router& router, const ApiServices& services) {
  router.add("GET", "/agents", [services](RequestContext& context) {
    const auto set = services.agents.current();
    nlohmann::json agents = nlohmann::json::array();
    for (const auto& [id, agent] : set->agents)
      agents.push_back(to_public_json(agent->definition()));
    nlohmann::json refused = nlohmann::json::array();
    for (const auto& refusal : set->refused) {
      refused.push_back({{"agent_id", refusal.agent_id},
                         {"file", refusal.file.string()},
                         {"reason", refusal.reason}});
    }
    context.send_json(200, {{"agents", agents}, {"refused", refused}});
  });

  router.add("GET", "/agents/{id}", [services](RequestContext& context) {
    const std::string& id = context.path_param("id");
    const auto agent = lease_agent(services, id);
    context.send_json(200, agent->to_json());
  });
}

}  // namespace agent_host::http::handlers
