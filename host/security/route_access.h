// Who may call each route when authentication is on: the one table of it (README
// "Authentication" shows the same table). A route missing from the table needs the admin role,
// so a route added without thought fails closed; a test checks that every registered route has
// an entry.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace agent_host::security {

enum class Access {
  open,   // no credential needed (liveness, readiness, the API description)
  user,   // any authenticated principal with the user or admin role
  admin,  // the admin role
};

struct RouteAccess {
  std::string method;
  std::string pattern;  // the router's pattern, e.g. "/agents/{id}/chat"
  Access access;
};

const std::vector<RouteAccess>& route_access_table();

// The access of a route (HEAD counts as GET); admin for a route not in the table.
Access route_access(std::string_view method, std::string_view pattern);

const char* access_name(Access access);

}  // namespace agent_host::security
