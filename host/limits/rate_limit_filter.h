// The router filter that applies the rate rules (after authentication, so it can key on the
// principal). Every response of a limited route carries the RateLimit-Policy and RateLimit
// fields of draft-ietf-httpapi-ratelimit-headers-10 (structured fields, the syntax since -08):
//   RateLimit-Policy: "chat";q=60;w=60
//   RateLimit: "chat";r=59;t=1
// and a refusal is 429 rate_limited with Retry-After (seconds until one request is allowed).
#pragma once

#include <vector>

#include "http/router.h"
#include "limits/limits_config.h"
#include "limits/rate_limiter.h"

namespace agent_host::limits {

// `limiter` must outlive the router.
http::RequestFilter make_rate_limit_filter(std::vector<RateRule> rules, RateLimiter& limiter);

}  // namespace agent_host::limits
