#include "security/bind_exposure.h"

#include <Poco/Net/IPAddress.h>

#include "security/auth_error.h"

namespace agent_host::security {

bool is_loopback_bind(const std::string& bind) {
  if (bind == "localhost") return true;
  Poco::Net::IPAddress address;
  if (!Poco::Net::IPAddress::tryParse(bind, address)) return false;
  return address.isLoopback();
}

void check_bind_exposure(const std::string& bind, bool auth_enabled, bool insecure) {
  if (auth_enabled || insecure || is_loopback_bind(bind)) return;
  throw AuthConfigError(
      "refusing to listen on " + bind +
      " without authentication: anyone who can reach it could chat as any user, read every "
      "conversation and use the admin API. Configure \"auth\" (API keys or JWT, see README "
      "\"Authentication\"), bind to 127.0.0.1, or pass --insecure to serve without auth anyway");
}

}  // namespace agent_host::security
