#include "common/config_reader.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace providers {

using agent_sdk::Error;
using agent_sdk::Json;

ConfigReader::ConfigReader(const Json& config, std::string where, std::vector<std::string> allowed)
    : config_(config), where_(std::move(where)) {
  if (!config_.is_object()) throw Error(AGENT_ERR_INVALID_INPUT, where_ + " must be a JSON object");
  for (const auto& item : config_.items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) != allowed.end()) continue;
    std::string list;
    for (const std::string& key : allowed) list += (list.empty() ? "" : ", ") + key;
    throw Error(AGENT_ERR_INVALID_INPUT,
                where_ + ": unknown key \"" + item.key() + "\" (allowed: " + list + ")");
  }
}

const Json* ConfigReader::find(const char* key) const {
  const auto it = config_.find(key);
  return it == config_.end() ? nullptr : &*it;
}

bool ConfigReader::has(const char* key) const { return find(key) != nullptr; }

void ConfigReader::fail(const std::string& key, const std::string& problem) const {
  throw Error(AGENT_ERR_INVALID_INPUT, where_ + ": \"" + key + "\" " + problem);
}

std::optional<std::string> ConfigReader::string(const char* key) const {
  const Json* value = find(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string() || value->get_ref<const std::string&>().empty()) {
    fail(key, "must be a non-empty string");
  }
  return value->get<std::string>();
}

std::optional<std::int64_t> ConfigReader::integer(const char* key, std::int64_t min,
                                                  std::int64_t max) const {
  const Json* value = find(key);
  if (value == nullptr) return std::nullopt;
  const std::string expected =
      "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (value->is_number_unsigned()) {
    const auto n = value->get<std::uint64_t>();
    if (n > static_cast<std::uint64_t>(max) || static_cast<std::int64_t>(n) < min) {
      fail(key, expected);
    }
    return static_cast<std::int64_t>(n);
  }
  if (value->is_number_integer()) {
    const auto n = value->get<std::int64_t>();
    if (n < min || n > max) fail(key, expected);
    return n;
  }
  fail(key, expected);
}

std::optional<double> ConfigReader::number(const char* key, double min, double max) const {
  const Json* value = find(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number()) fail(key, "must be a number");
  const double n = value->get<double>();
  if (!std::isfinite(n) || n < min || n > max) {
    Json range = {min, max};
    fail(key, "must be a number from " + range[0].dump() + " to " + range[1].dump());
  }
  return n;
}

std::optional<bool> ConfigReader::boolean(const char* key) const {
  const Json* value = find(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) fail(key, "must be true or false");
  return value->get<bool>();
}

const Json* ConfigReader::object(const char* key) const {
  const Json* value = find(key);
  if (value != nullptr && !value->is_object()) fail(key, "must be an object");
  return value;
}

}  // namespace providers
