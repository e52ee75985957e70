#include "security/authenticator.h"

#include <Poco/Exception.h>
#include <Poco/String.h>

#include <algorithm>
#include <fstream>

#include "security/auth_error.h"

namespace agent_host::security {
namespace {

bool looks_like_jwt(const std::string& token) {
  return std::count(token.begin(), token.end(), '.') == 2;
}

}  // namespace

Authenticator::Authenticator(ApiKeyTable keys, std::optional<JwtVerifier> jwt)
    : keys_(std::move(keys)), jwt_(std::move(jwt)) {}

std::optional<Principal> Authenticator::authenticate(
    const Poco::Net::HTTPRequest& request, std::chrono::system_clock::time_point now) const {
  const bool has_key = request.has("X-API-Key");
  const bool has_authorization = request.has("Authorization");
  if (!has_key && !has_authorization) return std::nullopt;
  if (has_key && has_authorization) {
    throw AuthError("ambiguous_credentials",
                    "send one credential: X-API-Key or Authorization, not both");
  }
  std::string credential;
  if (has_key) {
    credential = Poco::trim(request.get("X-API-Key"));
  } else {
    const std::string value = Poco::trim(request.get("Authorization"));
    const auto space = value.find(' ');
    if (space == std::string::npos || Poco::icompare(value.substr(0, space), "Bearer") != 0) {
      throw AuthError("unsupported_scheme", "the Authorization header must be \"Bearer <token>\"");
    }
    credential = Poco::trim(value.substr(space + 1));
  }
  if (credential.empty()) throw AuthError("missing_credentials", "the credential is empty");

  if (!has_key && jwt_ && looks_like_jwt(credential)) return jwt_->verify(credential, now);
  if (auto principal = keys_.find(credential)) return principal;
  throw AuthError("invalid_api_key", "the API key is not valid");
}

std::unique_ptr<Authenticator> make_authenticator(const AuthConfig& config,
                                                  const plugins::SecretStore& secrets) {
  std::optional<JwtVerifier> jwt;
  if (config.jwt) {
    JwtKeys keys;
    if (!config.jwt->hs256_secret_name.empty()) {
      keys.hs256_secret = secrets.get(config.jwt->hs256_secret_name);
      if (!keys.hs256_secret) {
        throw AuthConfigError("auth.jwt.hs256_secret names the secret \"" +
                              config.jwt->hs256_secret_name +
                              "\", which is not configured in secrets or is empty");
      }
    }
    if (!config.jwt->rs256_public_key.empty()) {
      const std::string path = config.jwt->rs256_public_key.string();
      std::ifstream probe(path);
      if (!probe) throw AuthConfigError("auth.jwt.rs256_public_key: cannot read " + path);
      try {
        keys.rs256_public_key = new Poco::Crypto::RSAKey(path);
      } catch (const Poco::Exception& e) {
        throw AuthConfigError("auth.jwt.rs256_public_key: " + path +
                              " is not a PEM RSA public key (" + e.displayText() + ")");
      }
    }
    try {
      jwt.emplace(std::move(keys), config.jwt->rules);
    } catch (const AuthConfigError& e) {
      throw AuthConfigError(std::string("auth.jwt: ") + e.what());
    }
  }
  return std::make_unique<Authenticator>(ApiKeyTable(config.api_keys), std::move(jwt));
}

}  // namespace agent_host::security
