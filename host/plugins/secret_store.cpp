#include "plugins/secret_store.h"

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace agent_host::plugins {

std::optional<std::string> SecretStore::get(const std::string& name) const {
  const auto it = sources_.find(name);
  if (it == sources_.end()) return std::nullopt;
  const SecretSource& source = it->second;
  switch (source.type) {
    case SecretSource::Type::value:
      return source.ref;
    case SecretSource::Type::env: {
      const char* value = std::getenv(source.ref.c_str());
      if (value == nullptr || value[0] == '\0') return std::nullopt;
      return std::string(value);
    }
    case SecretSource::Type::file: {
      std::ifstream in(source.ref, std::ios::binary);
      if (!in) return std::nullopt;
      std::string value((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
      if (value.empty()) return std::nullopt;
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace agent_host::plugins
