// Authentication as the router's first request filter: after the route matched, before the rate
// limits and the handler. It sets the request's principal, or answers 401 (no or a bad
// credential, with `WWW-Authenticate: Bearer`) or 403 (a valid principal without the route's
// role). Open routes (route_access.h) are served without a credential.
#pragma once

#include "http/router.h"
#include "security/authenticator.h"

namespace agent_host::security {

// `authenticator` must outlive the router.
http::RequestFilter make_auth_filter(const Authenticator& authenticator);

}  // namespace agent_host::security
