// The lease a request takes on the agent it talks to, or the error that says why it cannot:
// 404 when no such agent exists, 503 agent_unavailable when its file is valid but it cannot be
// served now (a plugin it uses was removed or refuses to create), naming the reason.
#pragma once

#include <memory>
#include <string>

#include "http/api.h"

namespace agent_host::http::handlers {

// Throws ApiError(404, not_found_code, not_found_message) or ApiError(503, agent_unavailable).
std::shared_ptr<const agents::Agent> lease_agent(const ApiServices& services, const std::string& id,
                                                 const std::string& not_found_code,
                                                 const std::string& not_found_message);

inline std::shared_ptr<const agents::Agent> lease_agent(const ApiServices& services,
                                                        const std::string& id) {
  return lease_agent(services, id, "agent_not_found", "no agent '" + id + "' is served");
}

}  // namespace agent_host::http::handlers
