// Turns a request's credential into a Principal: `X-API-Key: <key>`, or
// `Authorization: Bearer <key or JWT>` (three dot-separated parts and a JWT configuration make it
// a JWT, anything else is looked up as an API key).
#pragma once

#include <Poco/Net/HTTPRequest.h>

#include <chrono>
#include <memory>
#include <optional>

#include "plugins/secret_store.h"
#include "security/api_keys.h"
#include "security/auth_config.h"
#include "security/jwt_verifier.h"

namespace agent_host::security {

class Authenticator {
 public:
  Authenticator(ApiKeyTable keys, std::optional<JwtVerifier> jwt);

  // The principal of the request's credential; nothing when it carries none. Throws AuthError
  // for a credential that is present but not valid.
  std::optional<Principal> authenticate(const Poco::Net::HTTPRequest& request,
                                        std::chrono::system_clock::time_point now) const;

 private:
  ApiKeyTable keys_;
  std::optional<JwtVerifier> jwt_;
};

// Builds the authenticator of an enabled config: reads the HS256 secret from `secrets` and the
// RS256 key file. Throws AuthConfigError naming what is missing or unreadable.
std::unique_ptr<Authenticator> make_authenticator(const AuthConfig& config,
                                                  const plugins::SecretStore& secrets);

}  // namespace agent_host::security
