// Why a credential was refused. The code goes to the client (401 with WWW-Authenticate), the
// message too; neither ever holds the credential or a key.
#pragma once

#include <stdexcept>
#include <string>

namespace agent_host::security {

class AuthError : public std::runtime_error {
 public:
  AuthError(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  // missing_credentials, invalid_api_key, invalid_token, token_expired, token_not_yet_valid,
  // invalid_issuer, invalid_audience, invalid_signature, unsupported_algorithm,
  // unsupported_scheme, ambiguous_credentials
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

// The "auth" section of the config is unusable (the host refuses to start).
class AuthConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace agent_host::security
