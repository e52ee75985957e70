#include "security/jwt_verifier.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "security/auth_error.h"
#include "support/jwt_tokens.h"
#include "support/temp_dir.h"

using namespace agent_host::security;
using agent_test::epoch_seconds;
using std::chrono::seconds;

namespace {

const std::string kSecret = "an-hs256-secret-of-at-least-32-bytes!!";

JwtRules rules() {
  JwtRules rules;
  rules.issuer = "https://idp.example";
  rules.audience = "agent-host";
  rules.clock_skew = seconds(60);
  return rules;
}

nlohmann::json claims() {
  return {{"iss", "https://idp.example"},
          {"aud", "agent-host"},
          {"sub", "alice"},
          {"tenant", "acme"},
          {"roles", {"user"}},
          {"exp", epoch_seconds(seconds(300))}};
}

JwtVerifier hs256_verifier() {
  JwtKeys keys;
  keys.hs256_secret = kSecret;
  return JwtVerifier(keys, rules());
}

// The AuthError code verify() throws, or "" when it accepts the token.
std::string refusal(const JwtVerifier& verifier, const std::string& token) {
  try {
    verifier.verify(token, std::chrono::system_clock::now());
    return "";
  } catch (const AuthError& e) {
    return e.code();
  }
}

}  // namespace

TEST_CASE("a valid HS256 token gives the principal of its claims", "[security][jwt]") {
  const auto principal = hs256_verifier().verify(agent_test::sign_hs256(claims(), kSecret),
                                                 std::chrono::system_clock::now());
  CHECK(principal.subject == "alice");
  CHECK(principal.tenant == "acme");
  CHECK(principal.roles == std::vector<std::string>{"user"});
  CHECK(principal.credential == "jwt:https://idp.example");
}

TEST_CASE("expired and not-yet-valid tokens are refused beyond the clock skew only",
          "[security][jwt]") {
  const auto verifier = hs256_verifier();
  auto token = claims();
  token["exp"] = epoch_seconds(seconds(-30));  // expired, but within the 60 s skew
  CHECK(refusal(verifier, agent_test::sign_hs256(token, kSecret)).empty());
  token["exp"] = epoch_seconds(seconds(-120));
  CHECK(refusal(verifier, agent_test::sign_hs256(token, kSecret)) == "token_expired");
  token = claims();
  token["nbf"] = epoch_seconds(seconds(30));
  CHECK(refusal(verifier, agent_test::sign_hs256(token, kSecret)).empty());
  token["nbf"] = epoch_seconds(seconds(600));
  CHECK(refusal(verifier, agent_test::sign_hs256(token, kSecret)) == "token_not_yet_valid");
  token = claims();
  token.erase("exp");
  CHECK(refusal(verifier, agent_test::sign_hs256(token, kSecret)) == "invalid_token");
  token["exp"] = "tomorrow";
  CHECK(refusal(verifier, agent_test::sign_hs256(token, kSecret)) == "invalid_token");
}

TEST_CASE("a token for another audience or issuer is refused", "[security][jwt]") {
  const auto verifier = hs256_verifier();
  auto token = claims();
  token["aud"] = "another-service";
  CHECK(refusal(verifier, agent_test::sign_hs256(token, kSecret)) == "invalid_audience");
  token["aud"] = {"another-service", "agent-host"};  // an array holding ours is fine
  CHECK(refusal(verifier, agent_test::sign_hs256(token, kSecret)).empty());
  token.erase("aud");
  CHECK(refusal(verifier, agent_test::sign_hs256(token, kSecret)) == "invalid_audience");
  token = claims();
  token["iss"] = "https://evil.example";
  CHECK(refusal(verifier, agent_test::sign_hs256(token, kSecret)) == "invalid_issuer");
  token["iss"] = 42;
  CHECK(refusal(verifier, agent_test::sign_hs256(token, kSecret)) == "invalid_issuer");
}

TEST_CASE("a tampered, foreign-key or unsigned token is refused", "[security][jwt]") {
  const auto verifier = hs256_verifier();
  const std::string good = agent_test::sign_hs256(claims(), kSecret);
  auto admin = claims();
  admin["roles"] = {"admin"};
  const std::string forged = agent_test::swap_payload(
      good, agent_test::sign_hs256(admin, "another-secret-32-bytes-long!!!!"));
  CHECK(refusal(verifier, forged) == "invalid_signature");
  CHECK(refusal(verifier, agent_test::sign_hs256(claims(), "another-secret-32-bytes-long!!!!")) ==
        "invalid_signature");
  CHECK(refusal(verifier, agent_test::unsigned_token(claims())) == "unsupported_algorithm");
  CHECK(refusal(verifier, "not.a.jwt") == "invalid_token");
  CHECK(refusal(verifier, "abc") == "invalid_token");
  CHECK(refusal(verifier, std::string(kMaxTokenBytes + 1, 'a')) == "invalid_token");
}

TEST_CASE("an RS256 token verifies with the public key, and the key is never an HS256 secret",
          "[security][jwt]") {
  const agent_test::TempDir dir;
  const auto key = agent_test::make_rsa_key(dir.path() / "public.pem");
  std::ifstream in(dir.path() / "public.pem");
  std::stringstream pem;
  pem << in.rdbuf();

  JwtKeys rs_only;
  rs_only.rs256_public_key = new Poco::Crypto::RSAKey((dir.path() / "public.pem").string());
  const JwtVerifier verifier(rs_only, rules());
  CHECK(verifier.verify(agent_test::sign_rs256(claims(), key), std::chrono::system_clock::now())
            .subject == "alice");
  // Alg confusion: HS256 "signed" with the public key's PEM text as the secret.
  const std::string confused = agent_test::sign_hs256(claims(), pem.str());
  CHECK(refusal(verifier, confused) == "unsupported_algorithm");
  JwtKeys both = rs_only;
  both.hs256_secret = kSecret;
  CHECK(refusal(JwtVerifier(both, rules()), confused) == "invalid_signature");
  // An RS256 token signed by another key.
  const auto stranger = agent_test::make_rsa_key(dir.path() / "stranger.pem");
  CHECK(refusal(verifier, agent_test::sign_rs256(claims(), stranger)) == "invalid_signature");
  // RS256 is off for a verifier with only a secret.
  CHECK(refusal(hs256_verifier(), agent_test::sign_rs256(claims(), key)) ==
        "unsupported_algorithm");
}

TEST_CASE("roles come as an array or a space-separated string, or the configured default",
          "[security][jwt]") {
  const auto verifier = hs256_verifier();
  const auto now = std::chrono::system_clock::now();
  auto token = claims();
  token["roles"] = "user admin";
  CHECK(verifier.verify(agent_test::sign_hs256(token, kSecret), now).has_role("admin"));
  token.erase("roles");
  CHECK(verifier.verify(agent_test::sign_hs256(token, kSecret), now).roles ==
        std::vector<std::string>{"user"});
  token["roles"] = {"user", 7};
  CHECK(refusal(verifier, agent_test::sign_hs256(token, kSecret)) == "invalid_token");
  token = claims();
  token.erase("tenant");
  CHECK(refusal(verifier, agent_test::sign_hs256(token, kSecret)) == "invalid_token");
  token = claims();
  token["sub"] = "";
  CHECK(refusal(verifier, agent_test::sign_hs256(token, kSecret)) == "invalid_token");
}

TEST_CASE("a verifier needs a key, and an HS256 secret of at least 32 bytes", "[security][jwt]") {
  CHECK_THROWS_AS(JwtVerifier(JwtKeys{}, rules()), AuthConfigError);
  JwtKeys weak;
  weak.hs256_secret = "short";
  CHECK_THROWS_WITH(JwtVerifier(weak, rules()), Catch::Contains("at least 32 bytes"));
}
