#include "app/limits_section.h"

#include <set>

#include "app/host_config.h"

namespace agent_host::app {
namespace {

void only_keys(const nlohmann::json& object, const std::set<std::string>& known,
               const std::string& where) {
  if (!object.is_object()) throw ConfigError(where + " must be an object");
  for (const auto& [key, _] : object.items()) {
    if (known.count(key) == 0) throw ConfigError(where + ": unknown key \"" + key + "\"");
  }
}

std::int64_t integer(const nlohmann::json& object, const char* key, std::int64_t min,
                     std::int64_t max, std::int64_t fallback, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) return fallback;
  if (!it->is_number_integer() || it->get<std::int64_t>() < min || it->get<std::int64_t>() > max) {
    throw ConfigError(where + "." + key + " must be an integer " + std::to_string(min) + ".." +
                      std::to_string(max));
  }
  return it->get<std::int64_t>();
}

std::vector<std::string> strings(const nlohmann::json& object, const char* key,
                                 std::vector<std::string> fallback, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) return fallback;
  if (!it->is_array()) throw ConfigError(where + "." + key + " must be an array of strings");
  std::vector<std::string> out;
  for (const auto& item : *it) {
    if (!item.is_string() || item.get<std::string>().empty()) {
      throw ConfigError(where + "." + key + " must hold non-empty strings");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

// "METHOD /pattern" or "*".
void check_route(const std::string& route, const std::string& where) {
  if (route == "*") return;
  const auto space = route.find(' ');
  if (space == std::string::npos || space == 0 || space + 1 >= route.size() ||
      route[space + 1] != '/' || route.find(' ', space + 1) != std::string::npos) {
    throw ConfigError(where + ": \"" + route +
                      "\" is not a route: write \"METHOD /pattern\" (\"POST /agents/{id}/chat\") "
                      "or \"*\"");
  }
}

limits::RateRule read_rule(const nlohmann::json& json, std::size_t index) {
  const std::string where = "limits.rate[" + std::to_string(index) + "]";
  only_keys(json, {"name", "route", "routes", "requests", "per_s"}, where);
  limits::RateRule rule;
  if (json.contains("route") == json.contains("routes")) {
    throw ConfigError(where + " needs exactly one of \"route\" and \"routes\"");
  }
  if (json.contains("route")) {
    if (!json["route"].is_string()) throw ConfigError(where + ".route must be a string");
    rule.routes = {json["route"].get<std::string>()};
  } else {
    rule.routes = strings(json, "routes", {}, where);
    if (rule.routes.empty()) throw ConfigError(where + ".routes must not be empty");
  }
  for (const auto& route : rule.routes) check_route(route, where);
  rule.name = json.contains("name") && json["name"].is_string() ? json["name"].get<std::string>()
                                                                : "rule" + std::to_string(index);
  if (rule.name.empty() || rule.name.find_first_of("\"\\:, ;") != std::string::npos) {
    throw ConfigError(where + ".name must be a non-empty word without quotes, spaces, ':' , ';'");
  }
  rule.requests = integer(json, "requests", 1, 1000000000, rule.requests, where);
  rule.per_s = integer(json, "per_s", 1, 31LL * 24 * 3600, rule.per_s, where);
  return rule;
}

limits::TokenBudget read_budget(const nlohmann::json& json, const std::string& where) {
  only_keys(json, {"tokens", "period_s"}, where);
  limits::TokenBudget budget;
  budget.tokens = integer(json, "tokens", 0, 1LL << 50, 0, where);
  budget.period_s = integer(json, "period_s", 1, 366LL * 24 * 3600, budget.period_s, where);
  return budget;
}

void read_limits(const nlohmann::json& json, HostConfig& config) {
  only_keys(json, {"rate", "max_tracked_keys", "token_budgets", "max_connections_per_client"},
            "limits");
  limits::LimitsConfig& limits = config.limits;
  if (json.contains("rate")) {
    if (!json["rate"].is_array()) throw ConfigError("limits.rate must be an array of rules");
    limits.rate.clear();
    std::set<std::string> names;
    for (std::size_t i = 0; i < json["rate"].size(); ++i) {
      limits.rate.push_back(read_rule(json["rate"][i], i));
      if (!names.insert(limits.rate.back().name).second) {
        throw ConfigError("limits.rate: two rules are named \"" + limits.rate.back().name + "\"");
      }
    }
  }
  limits.max_tracked_keys = static_cast<std::size_t>(
      integer(json, "max_tracked_keys", 1, 100000000,
              static_cast<std::int64_t>(limits.max_tracked_keys), "limits"));
  if (json.contains("token_budgets")) {
    const auto& budgets = json["token_budgets"];
    only_keys(budgets, {"per_credential", "per_agent"}, "limits.token_budgets");
    if (budgets.contains("per_credential")) {
      limits.per_credential =
          read_budget(budgets["per_credential"], "limits.token_budgets.per_credential");
    }
    if (budgets.contains("per_agent")) {
      limits.per_agent = read_budget(budgets["per_agent"], "limits.token_budgets.per_agent");
    }
  }
  config.http.max_connections_per_client =
      static_cast<int>(integer(json, "max_connections_per_client", 0, 1000000,
                               config.http.max_connections_per_client, "limits"));
}

void read_cors(const nlohmann::json& json, limits::CorsConfig& cors) {
  only_keys(json, {"allowed_origins", "allowed_methods", "allowed_headers", "max_age_s"}, "cors");
  cors.allowed_origins = strings(json, "allowed_origins", cors.allowed_origins, "cors");
  for (const auto& origin : cors.allowed_origins) {
    if (origin != "*" && (origin.find("://") == std::string::npos || origin.back() == '/')) {
      throw ConfigError("cors.allowed_origins: \"" + origin +
                        "\" is not an origin (\"https://app.example.com\", no path) or \"*\"");
    }
  }
  cors.allowed_methods = strings(json, "allowed_methods", cors.allowed_methods, "cors");
  cors.allowed_headers = strings(json, "allowed_headers", cors.allowed_headers, "cors");
  cors.max_age_s = static_cast<int>(integer(json, "max_age_s", 0, 86400, cors.max_age_s, "cors"));
}

}  // namespace

void read_limits_sections(const nlohmann::json& root, HostConfig& config) {
  if (root.contains("limits")) read_limits(root["limits"], config);
  if (root.contains("cors")) read_cors(root["cors"], config.limits.cors);
}

}  // namespace agent_host::app
