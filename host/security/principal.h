// Who a request acts for, as established by authentication (security/). Handlers and the
// limiters read it from the RequestContext; when auth is off there is none and the user id comes
// from the request body, as before.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace agent_host::security {

struct Principal {
  std::string subject;  // the user id conversations are owned by
  std::string tenant;   // isolation boundary: a tenant never sees another's conversations
  std::vector<std::string> roles;  // "user", "admin"
  // Which credential authenticated the request ("key:<id>", "jwt:<issuer>"): for logs, metrics,
  // rate limits and token budgets. Never the secret itself.
  std::string credential;

  bool has_role(const std::string& role) const {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
  }
};

}  // namespace agent_host::security
