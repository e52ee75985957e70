#include "security/jwt_verifier.h"

#include <Poco/JWT/JWTException.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "security/auth_error.h"

namespace agent_host::security {
namespace {

// A signer that knows exactly one algorithm and that algorithm's key.
Poco::JWT::Token verify_with(const JwtKeys& keys, const std::string& algorithm,
                             const std::string& token) {
  Poco::JWT::Signer signer;
  signer.setAlgorithms({algorithm});
  if (algorithm == "HS256") {
    signer.setHMACKey(*keys.hs256_secret);
  } else {
    signer.setRSAKey(keys.rs256_public_key);
  }
  try {
    return signer.verify(token);
  } catch (const Poco::JWT::SignatureVerificationException&) {
    throw AuthError("invalid_signature", "the token's signature does not verify");
  } catch (const Poco::Exception&) {
    throw AuthError("invalid_token", "the token is malformed");
  }
}

std::optional<std::int64_t> time_claim(const nlohmann::json& payload, const char* name) {
  const auto it = payload.find(name);
  if (it == payload.end()) return std::nullopt;
  if (!it->is_number()) {
    throw AuthError("invalid_token", std::string("the \"") + name + "\" claim must be a number");
  }
  return static_cast<std::int64_t>(it->get<double>());
}

std::string string_claim(const nlohmann::json& payload, const std::string& name) {
  const auto it = payload.find(name);
  if (it == payload.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw AuthError("invalid_token",
                    "the token has no \"" + name + "\" claim (a non-empty string)");
  }
  if (it->get<std::string>().size() > 256) {
    throw AuthError("invalid_token", "the \"" + name + "\" claim is longer than 256 bytes");
  }
  return it->get<std::string>();
}

std::vector<std::string> roles_claim(const nlohmann::json& payload, const JwtRules& rules) {
  const auto it = payload.find(rules.roles_claim);
  if (it == payload.end()) return rules.default_roles;
  std::vector<std::string> roles;
  if (it->is_string()) {
    std::istringstream words(it->get<std::string>());
    for (std::string word; words >> word;) roles.push_back(word);
    return roles;
  }
  if (it->is_array()) {
    for (const auto& role : *it) {
      if (!role.is_string()) break;
      roles.push_back(role.get<std::string>());
    }
    if (roles.size() == it->size()) return roles;
  }
  throw AuthError("invalid_token", "the \"" + rules.roles_claim +
                                       "\" claim must be an array of strings or a string");
}

bool audience_matches(const nlohmann::json& payload, const std::string& audience) {
  const auto it = payload.find("aud");
  if (it == payload.end()) return false;
  if (it->is_string()) return it->get<std::string>() == audience;
  if (!it->is_array()) return false;
  for (const auto& item : *it) {
    if (item.is_string() && item.get<std::string>() == audience) return true;
  }
  return false;
}

}  // namespace

JwtVerifier::JwtVerifier(JwtKeys keys, JwtRules rules)
    : keys_(std::move(keys)), rules_(std::move(rules)) {
  if (!keys_.hs256_secret && keys_.rs256_public_key.isNull()) {
    throw AuthConfigError("auth.jwt needs an HS256 secret or an RS256 public key");
  }
  // RFC 7518 3.2: an HS256 key must be at least as long as the hash.
  if (keys_.hs256_secret && keys_.hs256_secret->size() < 32) {
    throw AuthConfigError("the HS256 secret must be at least 32 bytes");
  }
}

Principal JwtVerifier::verify(const std::string& token,
                              std::chrono::system_clock::time_point now) const {
  if (token.size() > kMaxTokenBytes) {
    throw AuthError("invalid_token",
                    "the token is longer than " + std::to_string(kMaxTokenBytes) + " bytes");
  }
  // The header is read (unverified) only to pick the key; the signer then accepts that one
  // algorithm alone, so a token cannot choose which key verifies it.
  std::string algorithm;
  try {
    algorithm = Poco::JWT::Token(token).getAlgorithm();
  } catch (const Poco::Exception&) {
    throw AuthError("invalid_token", "the token is malformed");
  }
  const bool usable = (algorithm == "HS256" && keys_.hs256_secret) ||
                      (algorithm == "RS256" && !keys_.rs256_public_key.isNull());
  if (!usable) {
    throw AuthError("unsupported_algorithm",
                    "the token's algorithm \"" + algorithm.substr(0, 16) + "\" is not accepted");
  }
  const Poco::JWT::Token verified = verify_with(keys_, algorithm, token);
  std::ostringstream text;
  verified.payload().stringify(text);
  const nlohmann::json payload = nlohmann::json::parse(text.str(), nullptr, false);
  if (!payload.is_object()) throw AuthError("invalid_token", "the token's claims are not JSON");

  const std::int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t skew = rules_.clock_skew.count();
  const auto expires = time_claim(payload, "exp");
  if (!expires) throw AuthError("invalid_token", "the token has no \"exp\" claim");
  if (seconds > *expires + skew) throw AuthError("token_expired", "the token has expired");
  if (const auto not_before = time_claim(payload, "nbf");
      not_before && seconds + skew < *not_before) {
    throw AuthError("token_not_yet_valid", "the token is not valid yet (\"nbf\")");
  }
  const auto issuer = payload.find("iss");
  if (issuer == payload.end() || !issuer->is_string() || *issuer != rules_.issuer) {
    throw AuthError("invalid_issuer", "the token's issuer is not the one this host accepts");
  }
  if (!audience_matches(payload, rules_.audience)) {
    throw AuthError("invalid_audience", "the token is not meant for this host (\"aud\")");
  }
  Principal principal;
  principal.subject = string_claim(payload, rules_.subject_claim);
  principal.tenant = string_claim(payload, rules_.tenant_claim);
  principal.roles = roles_claim(payload, rules_);
  principal.credential = "jwt:" + rules_.issuer;
  return principal;
}

}  // namespace agent_host::security
