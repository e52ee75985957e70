#include "security/auth_filter.h"

#include <spdlog/spdlog.h>

#include "http/api_error.h"
#include "security/auth_error.h"
#include "security/route_access.h"

namespace agent_host::security {
namespace {

bool allowed(const Principal& principal, Access access) {
  if (principal.has_role("admin")) return true;
  return access == Access::user && principal.has_role("user");
}

}  // namespace

http::RequestFilter make_auth_filter(const Authenticator& authenticator) {
  return [&authenticator](http::RequestContext& context) {
    const Access access = route_access(context.request().getMethod(), context.route_pattern());
    if (access == Access::open) return;
    std::optional<Principal> principal;
    try {
      principal = authenticator.authenticate(context.request(), std::chrono::system_clock::now());
    } catch (const AuthError& e) {
      // RFC 6750: the error is "invalid_token"; our own code says exactly what was wrong.
      context.response().set("WWW-Authenticate",
                             "Bearer realm=\"agent-host\", error=\"invalid_token\"");
      spdlog::info("request {}: {} {} from {}: credential refused ({})", context.request_id(),
                   context.request().getMethod(), context.route_pattern(), context.client_address(),
                   e.code());
      throw http::ApiError(401, e.code(), e.what());
    }
    if (!principal) {
      context.response().set("WWW-Authenticate", "Bearer realm=\"agent-host\"");
      throw http::ApiError(401, "missing_credentials",
                           "this route needs a credential: Authorization: Bearer <token or API "
                           "key>, or X-API-Key");
    }
    if (!allowed(*principal, access)) {
      spdlog::info("request {}: {} {}: {} ({}) lacks the {} role", context.request_id(),
                   context.request().getMethod(), context.route_pattern(), principal->subject,
                   principal->credential, access_name(access));
      throw http::ApiError(403, "forbidden",
                           std::string("this route needs the ") + access_name(access) + " role");
    }
    context.set_principal(std::move(*principal));
  };
}

}  // namespace agent_host::security
