// GET /agents, GET /agents/{id} and GET /agents/{id}/tools.
#include "agents/tool_box.h"
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

  // What the agent's tool sources list now (after its allow-list): a source that cannot list
  // (its server is down) is named in "unavailable" instead of failing the request.
  router.add("GET", "/agents/{id}/tools", [services](RequestContext& context) {
    const std::string& id = context.path_param("id");
    const auto agent = services.agents.find(id);
    if (!agent) throw ApiError(404, "agent_not_found", "no agent '" + id + "' is served");
    const auto box = agents::ToolBox::collect(*agent, context.request_id());
    context.send_json(
        200, {{"agent_id", id}, {"tools", box.listing()}, {"unavailable", box.failures()}});
  });
}

}  // namespace agent_host::http::handlers
