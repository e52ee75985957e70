#include "http/router.h"

#include <Poco/URI.h>

#include <map>

#include "http/api_error.h"

namespace agent_host::http {
namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    const std::size_t end = path.find('/', start);
    const std::size_t stop = end == std::string::npos ? path.size() : end;
    segments.push_back(path.substr(start, stop - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (!segments.empty() && segments.back().empty() && segments.size() > 1) segments.pop_back();
  return segments;
}

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler,
                 ErrorResponder on_error) {
  Route route{std::move(method), std::move(pattern), {}, std::move(handler), std::move(on_error)};
  route.segments = split_path(route.pattern);
  routes_.push_back(std::move(route));
}

void Router::add_filter(RequestFilter filter) { filters_.push_back(std::move(filter)); }

void Router::add_pre_route_filter(RequestFilter filter) {
  pre_route_filters_.push_back(std::move(filter));
}

void Router::dispatch(RequestContext& context) const {
  for (const RequestFilter& filter : pre_route_filters_) {
    filter(context);
    if (context.response().sent()) return;
  }
  std::string path;
  try {
    path = Poco::URI(context.request().getURI()).getPath();
  } catch (const Poco::SyntaxException&) {
    throw ApiError(400, "malformed_request", "the request target is not a valid URI");
  }
  if (path.empty() || path.front() != '/') {
    throw ApiError(400, "malformed_request", "the request path must start with '/'");
  }
  const std::vector<std::string> segments = split_path(path);
  const std::string& method = context.request().getMethod();

  std::string allowed;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      if (is_param(route.segments[i])) {
        if (segments[i].empty()) match = false;
        params[route.segments[i].substr(1, route.segments[i].size() - 2)] = segments[i];
      } else {
        match = route.segments[i] == segments[i];
      }
    }
    if (!match) continue;
    if (route.method != method && !(method == "HEAD" && route.method == "GET")) {
      if (allowed.find(route.method) == std::string::npos) {
        allowed += (allowed.empty() ? "" : ", ") + route.method;
      }
      continue;
    }
    context.set_path_params(std::move(params));
    context.set_route_pattern(route.pattern);
    if (!route.on_error) {
      run(route, context);
      return;
    }
    try {
      run(route, context);
    } catch (const ApiError& e) {
      if (context.response().sent()) throw;
      route.on_error(context, e);
    }
    return;
  }
  if (!allowed.empty()) {
    context.response().set("Allow", allowed);
    throw ApiError(405, "method_not_allowed",
                   method + " is not allowed on " + path + " (allowed: " + allowed + ")");
  }
  throw ApiError(404, "not_found", "no route for " + path);
}

void Router::run(const Route& route, RequestContext& context) const {
  for (const RequestFilter& filter : filters_) filter(context);
  route.handler(context);
}

std::vector<RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  for (const Route& route : routes_) out.push_back({route.method, route.pattern});
  return out;
}

}  // namespace agent_host::http
