#include "security/route_access.h"

namespace agent_host::security {

const std::vector<RouteAccess>& route_access_table() {
  // Open: what load balancers and API tooling call without credentials. /metrics is admin: it
  // names agents and shows traffic, and Prometheus can send a bearer token.
  static const std::vector<RouteAccess> table = {
      {"GET", "/health", Access::open},
      {"GET", "/ready", Access::open},
      {"GET", "/openapi.json", Access::open},
      {"GET", "/docs", Access::open},
      {"GET", "/metrics", Access::admin},
      {"GET", "/agents", Access::user},
      {"GET", "/agents/{id}", Access::user},
      {"GET", "/agents/{id}/tools", Access::user},
      {"POST", "/agents/{id}/chat", Access::user},
      {"GET", "/agents/{id}/ws", Access::user},
      {"GET", "/v1/models", Access::user},
      {"GET", "/v1/models/{id}", Access::user},
      {"POST", "/v1/chat/completions", Access::user},
      {"GET", "/conversations", Access::user},
      {"GET", "/conversations/{id}", Access::user},
      {"DELETE", "/conversations/{id}", Access::user},
      {"GET", "/plugins", Access::admin},
      {"POST", "/admin/plugins/reload", Access::admin},
      {"POST", "/admin/agents", Access::admin},
      {"PUT", "/admin/agents/{id}", Access::admin},
      {"DELETE", "/admin/agents/{id}", Access::admin},
  };
  return table;
}

Access route_access(std::string_view method, std::string_view pattern) {
  if (method == "HEAD") method = "GET";
  for (const RouteAccess& route : route_access_table()) {
    if (route.method == method && route.pattern == pattern) return route.access;
  }
  return Access::admin;
}

const char* access_name(Access access) {
  switch (access) {
    case Access::open:
      return "open";
    case Access::user:
      return "user";
    case Access::admin:
      return "admin";
  }
  return "admin";
}

}  // namespace agent_host::security
