// The "auth" section of host.json (README "Authentication"):
//   "auth": {"enabled": true,
//            "api_keys": [{"id", "hash": "sha256:<hex>", "subject", "tenant", "roles": [...]}],
//            "jwt": {"issuer", "audience", "hs256_secret": <secret name>,
//                    "rs256_public_key": <PEM file>, "clock_skew_seconds": 60,
//                    "claims": {"subject": "sub", "tenant": "tenant", "roles": "roles"},
//                    "default_roles": ["user"]}}
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "security/api_keys.h"
#include "security/jwt_verifier.h"

namespace agent_host::security {

struct JwtConfig {
  JwtRules rules;
  std::string hs256_secret_name;           // a name in `secrets`; "" for none
  std::filesystem::path rs256_public_key;  // a PEM file; empty for none
};

struct AuthConfig {
  bool enabled = false;  // true when the section is present, unless "enabled": false
  std::vector<ApiKey> api_keys;
  std::optional<JwtConfig> jwt;
};

// Parses the section; relative paths are relative to `base`. Throws AuthConfigError naming the
// field ("auth.api_keys[1].hash: ...").
AuthConfig parse_auth_config(const nlohmann::json& json, const std::filesystem::path& base);

}  // namespace agent_host::security
