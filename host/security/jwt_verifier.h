// JWT bearer tokens (Poco::JWT): HS256 with a shared secret, RS256 with a PEM public key. A token
// is accepted when its algorithm is one configured here, its signature verifies with that
// algorithm's own key (an RS256 public key is never tried as an HS256 secret, and "none" is never
// accepted), `exp` is in the future and `nbf` in the past (both within the clock skew), `iss`
// equals the issuer and `aud` holds the audience. The principal comes from claims whose names
// are configurable (README "Authentication").
#pragma once

#include <Poco/Crypto/RSAKey.h>
#include <Poco/SharedPtr.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "security/principal.h"

namespace agent_host::security {

struct JwtRules {
  std::string issuer;    // required `iss`
  std::string audience;  // `aud` must be it or an array holding it
  std::chrono::seconds clock_skew{60};
  std::string subject_claim = "sub";
  std::string tenant_claim = "tenant";
  std::string roles_claim = "roles";  // an array of strings or one space-separated string
  std::vector<std::string> default_roles = {"user"};  // when the token has no roles claim
};

struct JwtKeys {
  std::optional<std::string> hs256_secret;                 // at least 32 bytes
  Poco::SharedPtr<Poco::Crypto::RSAKey> rs256_public_key;  // null: RS256 off
};

// Tokens longer than this are refused before parsing.
inline constexpr std::size_t kMaxTokenBytes = 8192;

class JwtVerifier {
 public:
  // Throws AuthConfigError when no key is given or the HS256 secret is too short.
  JwtVerifier(JwtKeys keys, JwtRules rules);

  // The principal the token names. Throws AuthError with a code saying what is wrong.
  Principal verify(const std::string& token, std::chrono::system_clock::time_point now) const;

 private:
  JwtKeys keys_;
  JwtRules rules_;
};

}  // namespace agent_host::security
