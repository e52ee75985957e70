#include "openai/openai_config.hpp"

#include <algorithm>
#include <cctype>

namespace providers::openai {

namespace {

// Both go into the URL unescaped, so only URL-safe characters are accepted.
bool url_safe(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

AzureDeployment read_azure(const agent_sdk::Json& value) {
  const ConfigReader reader(value, "openai config: azure", {"deployment", "api_version"});
  AzureDeployment azure;
  const auto deployment = reader.string("deployment");
  if (!deployment || !url_safe(*deployment)) {
    reader.fail("deployment", "must be a deployment name of letters, digits, '-', '_' and '.'");
  }
  const auto version = reader.string("api_version");
  if (!version || !url_safe(*version)) {
    reader.fail("api_version", "must be an API version such as \"2024-10-21\"");
  }
  azure.deployment = *deployment;
  azure.api_version = *version;
  return azure;
}

}  // namespace

Config parse_config(const agent_sdk::Json& config) {
  std::vector<std::string> keys = transport_keys();
  keys.insert(keys.end(), {"azure", "model", "temperature", "max_tokens", "stream"});
  const ConfigReader reader(config, "openai config", keys);
  Config parsed;
  parsed.transport = read_transport_config(reader, kDefaultBaseUrl, kDefaultSecret, {});
  if (const agent_sdk::Json* azure = reader.object("azure")) {
    if (!reader.has("base_url")) {
      reader.fail("azure", "needs \"base_url\" too (https://<resource>.openai.azure.com)");
    }
    parsed.azure = read_azure(*azure);
  }
  if (auto model = reader.string("model")) parsed.defaults.model = std::move(*model);
  parsed.defaults.temperature = reader.number("temperature", 0.0, kMaxTemperature);
  parsed.defaults.max_tokens = reader.integer("max_tokens", 1, 2147483647);
  parsed.stream = reader.boolean("stream").value_or(true);
  return parsed;
}

}  // namespace providers::openai
