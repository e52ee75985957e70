#include "anthropic/anthropic_config.hpp"

#include <algorithm>
#include <cctype>

namespace providers::anthropic {

Config parse_config(const agent_sdk::Json& config) {
  std::vector<std::string> keys = transport_keys();
  keys.insert(keys.end(), {"anthropic_version", "model", "max_tokens", "temperature", "stream"});
  const ConfigReader reader(config, "anthropic config", keys);
  Config parsed;
  parsed.transport =
      read_transport_config(reader, kDefaultBaseUrl, kDefaultSecret, {"anthropic-version"});
  if (auto version = reader.string("anthropic_version")) {
    const bool plain = std::all_of(version->begin(), version->end(), [](unsigned char c) {
      return std::isalnum(c) || c == '-' || c == '.';
    });
    if (!plain) reader.fail("anthropic_version", "must be a version such as \"2023-06-01\"");
    parsed.anthropic_version = std::move(*version);
  }
  if (auto model = reader.string("model")) parsed.defaults.model = std::move(*model);
  parsed.defaults.max_tokens =
      reader.integer("max_tokens", 1, 2147483647).value_or(kDefaultMaxTokens);
  parsed.defaults.temperature = reader.number("temperature", 0.0, kMaxTemperature);
  parsed.stream = reader.boolean("stream").value_or(true);
  return parsed;
}

}  // namespace providers::anthropic
