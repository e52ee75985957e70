// CORS with an allow-list, applied before routing (Router::add_pre_route_filter) so a preflight
// works on every route instead of meeting the router's 405.
//
// - No allowed origins (the default): nothing is allowed, no CORS header is ever sent, and a
//   preflight is refused (403 cors_refused).
// - A preflight (OPTIONS with Origin and Access-Control-Request-Method) from an allowed origin,
//   for an allowed method and allowed headers, is answered 204 with the Access-Control-Allow-*
//   fields and Access-Control-Max-Age; anything else is refused 403 with the reason.
// - Any other request from an allowed origin gets Access-Control-Allow-Origin (and
//   Access-Control-Expose-Headers for the request id and the rate limit fields); from another
//   origin it gets none, so the browser keeps the answer from the page.
#pragma once

#include "http/router.h"
#include "limits/limits_config.h"

namespace agent_host::limits {

http::RequestFilter make_cors_filter(CorsConfig config);

}  // namespace agent_host::limits
