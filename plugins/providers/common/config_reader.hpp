// Strict reading of a plugin's config object: every key must be known, every value must have the
// right type and range, and every refusal names the plugin, the key and what was expected.
#pragma once

#include <agent_sdk/plugin.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace providers {

class ConfigReader {
 public:
  // Refuses `config` unless it is an object whose keys are all in `allowed`. `where` starts every
  // message, e.g. "openai config" or "openai config: retry".
  ConfigReader(const agent_sdk::Json& config, std::string where, std::vector<std::string> allowed);

  bool has(const char* key) const;
  // A non-empty string.
  std::optional<std::string> string(const char* key) const;
  std::optional<std::int64_t> integer(const char* key, std::int64_t min, std::int64_t max) const;
  std::optional<double> number(const char* key, double min, double max) const;
  std::optional<bool> boolean(const char* key) const;
  // The object at `key`, or nullptr when absent; refuses any other type.
  const agent_sdk::Json* object(const char* key) const;

  // Throws AGENT_ERR_INVALID_INPUT: `<where>: "<key>" <problem>`.
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;
  const std::string& where() const noexcept { return where_; }

 private:
  const agent_sdk::Json* find(const char* key) const;

  agent_sdk::Json config_;  // a copy: readers are often built from temporaries
  std::string where_;
};

}  // namespace providers
