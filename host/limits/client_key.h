// Who a request counts against: the principal's credential (else its subject) when
// authentication established one, the client's IP address otherwise.
#pragma once

#include <string>

#include "http/request_context.h"

namespace agent_host::limits {

// "cred:key:abc", "sub:alice" or "ip:10.0.0.7": the rate limit key.
std::string client_key(const http::RequestContext& context);
// The principal's credential, billed for tokens; "" when anonymous.
std::string budget_account(const http::RequestContext& context);

}  // namespace agent_host::limits
