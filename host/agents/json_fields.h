// Reading fields of JSON that plugins (third-party code) produced. nlohmann's value() throws
// type_error when a field has another type; for untrusted input a wrong type means absent.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace agent_host::agents {

inline std::optional<std::string> optional_string_field(const nlohmann::json& object,
                                                        const char* key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

inline std::string string_field(const nlohmann::json& object, const char* key,
                                const std::string& fallback = {}) {
  return optional_string_field(object, key).value_or(fallback);
}

}  // namespace agent_host::agents
