// Lenient field access for answers from upstreams: a missing or mistyped field reads as absent
// instead of throwing, so one odd field never turns into a JSON exception far from its cause.
#pragma once

#include <agent_sdk/plugin.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace providers {

// The string at `key`, or "" when it is absent or not a string.
inline std::string string_field(const agent_sdk::Json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The integer at `key`, or nothing when it is absent or not an integer.
inline std::optional<std::int64_t> integer_field(const agent_sdk::Json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

}  // namespace providers
