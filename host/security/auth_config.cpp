#include "security/auth_config.h"

#include <set>

#include "security/auth_error.h"

namespace agent_host::security {
namespace {

void reject_unknown(const nlohmann::json& object, const std::set<std::string>& known,
                    const std::string& where) {
  for (const auto& [key, _] : object.items()) {
    if (known.count(key) == 0) throw AuthConfigError(where + ": unknown key \"" + key + "\"");
  }
}

std::string text(const nlohmann::json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw AuthConfigError(where + "." + key + " must be a non-empty string");
  }
  return it->get<std::string>();
}

std::vector<std::string> roles(const nlohmann::json& object, const char* key,
                               const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_array()) {
    throw AuthConfigError(where + "." + key + " must be an array of roles (\"user\", \"admin\")");
  }
  std::vector<std::string> out;
  for (const auto& role : *it) {
    if (!role.is_string() || (role != "user" && role != "admin")) {
      throw AuthConfigError(where + "." + key + ": a role is \"user\" or \"admin\"");
    }
    out.push_back(role.get<std::string>());
  }
  return out;
}

ApiKey read_api_key(const nlohmann::json& json, const std::string& where) {
  if (!json.is_object()) throw AuthConfigError(where + " must be an object");
  reject_unknown(json, {"id", "hash", "subject", "tenant", "roles"}, where);
  ApiKey key;
  key.id = text(json, "id", where);
  try {
    key.digest = parse_key_digest(text(json, "hash", where));
  } catch (const std::invalid_argument& e) {
    throw AuthConfigError(where + ".hash " + e.what());
  }
  key.principal.subject = text(json, "subject", where);
  key.principal.tenant = text(json, "tenant", where);
  key.principal.roles = roles(json, "roles", where);
  key.principal.credential = "key:" + key.id;
  return key;
}

JwtConfig read_jwt(const nlohmann::json& json, const std::filesystem::path& base) {
  const std::string where = "auth.jwt";
  if (!json.is_object()) throw AuthConfigError(where + " must be an object");
  reject_unknown(json,
                 {"issuer", "audience", "hs256_secret", "rs256_public_key", "clock_skew_seconds",
                  "claims", "default_roles"},
                 where);
  JwtConfig config;
  config.rules.issuer = text(json, "issuer", where);
  config.rules.audience = text(json, "audience", where);
  if (json.contains("hs256_secret")) config.hs256_secret_name = text(json, "hs256_secret", where);
  if (json.contains("rs256_public_key")) {
    const std::filesystem::path path(text(json, "rs256_public_key", where));
    config.rs256_public_key = path.is_absolute() ? path : (base / path).lexically_normal();
  }
  if (config.hs256_secret_name.empty() && config.rs256_public_key.empty()) {
    throw AuthConfigError(where +
                          " needs \"hs256_secret\" (a secret's name) or \"rs256_public_key\" "
                          "(a PEM file), or both");
  }
  if (const auto it = json.find("clock_skew_seconds"); it != json.end()) {
    if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 600) {
      throw AuthConfigError(where + ".clock_skew_seconds must be an integer 0..600");
    }
    config.rules.clock_skew = std::chrono::seconds(it->get<long long>());
  }
  if (const auto it = json.find("claims"); it != json.end()) {
    if (!it->is_object()) throw AuthConfigError(where + ".claims must be an object");
    reject_unknown(*it, {"subject", "tenant", "roles"}, where + ".claims");
    if (it->contains("subject"))
      config.rules.subject_claim = text(*it, "subject", where + ".claims");
    if (it->contains("tenant")) config.rules.tenant_claim = text(*it, "tenant", where + ".claims");
    if (it->contains("roles")) config.rules.roles_claim = text(*it, "roles", where + ".claims");
  }
  if (json.contains("default_roles"))
    config.rules.default_roles = roles(json, "default_roles", where);
  return config;
}

}  // namespace

AuthConfig parse_auth_config(const nlohmann::json& json, const std::filesystem::path& base) {
  if (!json.is_object()) throw AuthConfigError("auth must be an object");
  reject_unknown(json, {"enabled", "api_keys", "jwt"}, "auth");
  AuthConfig config;
  config.enabled = true;
  if (const auto it = json.find("enabled"); it != json.end()) {
    if (!it->is_boolean()) throw AuthConfigError("auth.enabled must be true or false");
    config.enabled = it->get<bool>();
  }
  if (const auto it = json.find("api_keys"); it != json.end()) {
    if (!it->is_array()) throw AuthConfigError("auth.api_keys must be an array");
    std::set<std::string> ids;
    for (std::size_t i = 0; i < it->size(); ++i) {
      const std::string where = "auth.api_keys[" + std::to_string(i) + "]";
      ApiKey key = read_api_key((*it)[i], where);
      if (!ids.insert(key.id).second) {
        throw AuthConfigError(where + ".id \"" + key.id + "\" is used twice");
      }
      config.api_keys.push_back(std::move(key));
    }
  }
  if (const auto it = json.find("jwt"); it != json.end()) config.jwt = read_jwt(*it, base);
  if (config.enabled && config.api_keys.empty() && !config.jwt) {
    throw AuthConfigError(
        "auth is enabled but has no credentials: add \"api_keys\" or \"jwt\" (or set "
        "\"enabled\": false)");
  }
  return config;
}

}  // namespace agent_host::security
