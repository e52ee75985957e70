#include "limits/cors.h"

#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <algorithm>

#include "http/api_error.h"

namespace agent_host::limits {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

bool contains_nocase(const std::vector<std::string>& items, const std::string& value) {
  return std::any_of(items.begin(), items.end(),
                     [&](const std::string& item) { return Poco::icompare(item, value) == 0; });
}

}  // namespace

http::RequestFilter make_cors_filter(CorsConfig config) {
  return [config = std::move(config)](http::RequestContext& context) {
    auto& request = context.request();
    auto& response = context.response();
    const std::string origin = request.get("Origin", "");
    const bool preflight =
        request.getMethod() == "OPTIONS" && request.has("Access-Control-Request-Method");
    if (origin.empty()) return;
    const bool any = std::find(config.allowed_origins.begin(), config.allowed_origins.end(), "*") !=
                     config.allowed_origins.end();
    const bool allowed =
        any || std::find(config.allowed_origins.begin(), config.allowed_origins.end(), origin) !=
                   config.allowed_origins.end();
    if (config.enabled()) response.set("Vary", "Origin");
    if (!preflight) {
      if (!allowed) return;
      response.set("Access-Control-Allow-Origin", any ? "*" : origin);
      response.set("Access-Control-Expose-Headers",
                   "X-Request-Id, Retry-After, RateLimit, RateLimit-Policy");
      return;
    }
    if (!allowed) {
      throw http::ApiError(403, "cors_refused",
                           "cross-origin requests from " + origin + " are not allowed");
    }
    const std::string method = request.get("Access-Control-Request-Method");
    if (!contains_nocase(config.allowed_methods, method)) {
      throw http::ApiError(403, "cors_refused",
                           "cross-origin " + method + " requests are not allowed (allowed: " +
                               join(config.allowed_methods) + ")");
    }
    const Poco::StringTokenizer headers(
        request.get("Access-Control-Request-Headers", ""), ",",
        Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    for (const std::string& header : headers) {
      if (!contains_nocase(config.allowed_headers, header)) {
        throw http::ApiError(403, "cors_refused",
                             "the header " + header +
                                 " is not allowed in cross-origin requests "
                                 "(allowed: " +
                                 join(config.allowed_headers) + ")");
      }
    }
    response.set("Access-Control-Allow-Origin", any ? "*" : origin);
    response.set("Access-Control-Allow-Methods", join(config.allowed_methods));
    response.set("Access-Control-Allow-Headers", join(config.allowed_headers));
    response.set("Access-Control-Max-Age", std::to_string(config.max_age_s));
    context.send_no_content();
  };
}

}  // namespace agent_host::limits
