// Secure by default: a host listening beyond the loopback interface must authenticate. Bound to
// another address with auth off, it refuses to start and says how to fix it, unless the operator
// says --insecure.
#pragma once

#include <string>

namespace agent_host::security {

// 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_bind(const std::string& bind);

// Throws AuthConfigError (the start-up message) when `bind` is not loopback, auth is off and
// `insecure` is false.
void check_bind_exposure(const std::string& bind, bool auth_enabled, bool insecure);

}  // namespace agent_host::security
