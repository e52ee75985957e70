#include "http/router.h"

#include <catch2/catch.hpp>

#include "http/api_error.h"

using namespace agent_host::http;

TEST_CASE("the route table keeps patterns and methods", "[http][router]") {
  Router router;
  router.add("GET", "/agents/{id}", [](RequestContext&) {});
  router.add("POST", "/agents/{id}/chat", [](RequestContext&) {});
  const auto routes = router.routes();
  REQUIRE(routes.size() == 2);
  CHECK(routes[1].method == "POST");
  CHECK(routes[1].pattern == "/agents/{id}/chat");
}
