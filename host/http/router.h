// Maps (method, path) to a handler. Patterns are literal segments and "{name}" parameters, e.g.
// "/agents/{id}/chat". An unknown path is 404; a known path with another method is 405 with an
// Allow header.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/api_error.h"
#include "http/request_context.h"

namespace agent_host::http {

using Handler = std::function<void(RequestContext&)>;
// Runs after a route matched (path parameters and route pattern set) and before its handler,
// in the order added: authentication, then rate limits, for instance. Rejects by throwing
// ApiError.
using RequestFilter = std::function<void(RequestContext&)>;
// Answers an ApiError thrown by a route's filters or handler in the route's own shape (the /v1
// routes answer OpenAI's); routes without one leave the error to the connection's JSON body.
using ErrorResponder = std::function<void(RequestContext&, const ApiError&)>;

struct RouteInfo {
  std::string method;
  std::string pattern;
};

class Router {
 public:
  // `on_error` (optional) answers every ApiError of this route, its filters' refusals
  // (401, 403, 429) included, while nothing was sent yet.
  void add(std::string method, std::string pattern, Handler handler, ErrorResponder on_error = {});
  void add_filter(RequestFilter filter);
  // Runs for every request before route matching (CORS preflight, which must work on any path);
  // a filter that sends the response ends the request there.
  void add_pre_route_filter(RequestFilter filter);

  // Finds the route, sets the path parameters and runs the handler. Throws ApiError 404/405.
  void dispatch(RequestContext& context) const;

  // The route table (for docs and tests).
  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    ErrorResponder on_error;
  };
  void run(const Route& route, RequestContext& context) const;

  std::vector<Route> routes_;
  std::vector<RequestFilter> filters_;
  std::vector<RequestFilter> pre_route_filters_;
};

}  // namespace agent_host::http
