#include "security/route_access.h"

#include <catch2/catch.hpp>

#include "support/test_host.h"

using namespace agent_host::security;

TEST_CASE("every route the host registers has an entry in the access table",
          "[security][route_access]") {
  agent_test::TestHost host([](agent_host::app::HostConfig& config) {
    config.admin_enabled = true;  // register the admin routes too
  });
  for (const auto& route : host.app().router().routes()) {
    INFO(route.method << " " << route.pattern);
    bool listed = false;
    for (const auto& entry : route_access_table()) {
      listed = listed || (entry.method == route.method && entry.pattern == route.pattern);
    }
    CHECK(listed);
  }
}

TEST_CASE("route access: open, user and admin routes, HEAD as GET, unknown routes need admin",
          "[security][route_access]") {
  CHECK(route_access("GET", "/health") == Access::open);
  CHECK(route_access("HEAD", "/health") == Access::open);
  CHECK(route_access("POST", "/agents/{id}/chat") == Access::user);
  CHECK(route_access("GET", "/conversations/{id}") == Access::user);
  CHECK(route_access("GET", "/plugins") == Access::admin);
  CHECK(route_access("DELETE", "/admin/agents/{id}") == Access::admin);
  CHECK(route_access("POST", "/health") == Access::admin);
  CHECK(route_access("GET", "/something/new") == Access::admin);
}
