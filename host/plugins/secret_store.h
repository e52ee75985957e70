// Secrets by name for plugins. A plugin asks for "openai_api_key"; the operator decides where
// that comes from (an environment variable, a file, or an inline value in the host config), so a
// plugin can never read an arbitrary environment variable. Values are never logged.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace agent_host::plugins {

struct SecretSource {
  enum class Type { env, file, value } type = Type::env;
  std::string ref;  // variable name, file path or the value itself
};

class SecretStore {
 public:
  SecretStore() = default;
  explicit SecretStore(std::map<std::string, SecretSource> sources)
      : sources_(std::move(sources)) {}

  // The secret's current value (read at each call, so rotated files and variables apply), or
  // nothing when the name is not configured or its source is empty or missing.
  std::optional<std::string> get(const std::string& name) const;

 private:
  std::map<std::string, SecretSource> sources_;
};

}  // namespace agent_host::plugins
