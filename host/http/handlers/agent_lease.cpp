#include "http/handlers/agent_lease.h"

#include "http/api_error.h"

namespace agent_host::http::handlers {

std::shared_ptr<const agents::Agent> lease_agent(const ApiServices& services, const std::string& id,
                                                 const std::string& not_found_code,
                                                 const std::string& not_found_message) {
  if (auto agent = services.agents.find(id)) return agent;
  const auto set = services.agents.current();
  if (const auto* refusal = set->unavailable(id)) {
    throw ApiError(503, "agent_unavailable",
                   "agent '" + id + "' is not available: " + refusal->reason);
  }
  throw ApiError(404, not_found_code, not_found_message);
}

}  // namespace agent_host::http::handlers
