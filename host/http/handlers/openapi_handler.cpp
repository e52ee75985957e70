// GET /openapi.json and GET /docs: the API description (host/http/openapi/), embedded at build
// time. A test compares its paths and methods with the router's table both ways.
#include "http/handlers/handlers.h"
#include "http/openapi/api_description.h"

namespace agent_host::http::handlers {

void add_api_description_routes(Router& router) {
  router.add("GET", "/openapi.json", [](RequestContext& context) {
    context.send_body(200, "application/json", openapi::document());
  });
  router.add("GET", "/docs", [](RequestContext& context) {
    // The page loads nothing from elsewhere; say so to the browser too.
    context.response().set("Content-Security-Policy",
                           "default-src 'none'; script-src 'unsafe-inline'; "
                           "style-src 'unsafe-inline'; connect-src 'self'");
    context.send_body(200, "text/html; charset=utf-8", openapi::docs_page());
  });
}

}  // namespace agent_host::http::handlers
