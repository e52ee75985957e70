// Signed JWTs for the authentication tests: HS256 with a secret, RS256 with an RSA key made at
// test time (no private key is ever committed), and hand-built unsigned ones.
#pragma once

#include <Poco/Base64Encoder.h>
#include <Poco/Crypto/RSAKey.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace agent_test {

inline std::int64_t epoch_seconds(std::chrono::seconds offset = std::chrono::seconds(0)) {
  return std::chrono::duration_cast<std::chrono::seconds>(
             (std::chrono::system_clock::now() + offset).time_since_epoch())
      .count();
}

inline Poco::JWT::Token token_with(const nlohmann::json& claims) {
  Poco::JWT::Token token;
  const auto object = Poco::JSON::Parser().parse(claims.dump()).extract<Poco::JSON::Object::Ptr>();
  for (const auto& [name, value] : *object) token.payload().set(name, value);
  return token;
}

inline std::string sign_hs256(const nlohmann::json& claims, const std::string& secret) {
  Poco::JWT::Token token = token_with(claims);
  return Poco::JWT::Signer(secret).sign(token, "HS256");
}

inline std::string sign_rs256(const nlohmann::json& claims,
                              const Poco::SharedPtr<Poco::Crypto::RSAKey>& key) {
  Poco::JWT::Token token = token_with(claims);
  Poco::JWT::Signer signer(key);
  signer.addAlgorithm("RS256");
  return signer.sign(token, "RS256");
}

inline std::string base64url(const std::string& text) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder.rdbuf()->setLineLength(0);
  encoder << text;
  encoder.close();
  return out.str();
}

// "<header>.<payload>." with {"alg": "none"}: what an attacker sends to skip the signature.
inline std::string unsigned_token(const nlohmann::json& claims) {
  return base64url(R"({"alg":"none","typ":"JWT"})") + "." + base64url(claims.dump()) + ".";
}

// A fresh 2048-bit RSA key; its public half is written to `public_pem`.
inline Poco::SharedPtr<Poco::Crypto::RSAKey> make_rsa_key(const std::filesystem::path& public_pem) {
  Poco::SharedPtr<Poco::Crypto::RSAKey> key(
      new Poco::Crypto::RSAKey(Poco::Crypto::RSAKey::KL_2048, Poco::Crypto::RSAKey::EXP_LARGE));
  key->save(public_pem.string());
  return key;
}

// The payload of `good` swapped for the payload of `other`, keeping good's signature.
inline std::string swap_payload(const std::string& good, const std::string& other) {
  const auto first = good.find('.');
  const auto last = good.rfind('.');
  const auto other_first = other.find('.');
  const auto other_last = other.rfind('.');
  return good.substr(0, first + 1) + other.substr(other_first + 1, other_last - other_first - 1) +
         good.substr(last);
}

}  // namespace agent_test
