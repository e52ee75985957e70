// The openai plugin's config, validated (see the manifest's config_schema in openai.cpp).
#pragma once

#include <agent_sdk/plugin.hpp>
#include <optional>
#include <string>

#include "common/canonical_input.hpp"
#include "common/transport_config.hpp"

namespace providers::openai {

inline constexpr const char kDefaultBaseUrl[] = "https://api.openai.com/v1";
inline constexpr const char kDefaultSecret[] = "openai_api_key";
inline constexpr const char kDefaultModel[] = "gpt-4o";
inline constexpr double kMaxTemperature = 2.0;

// Azure OpenAI: {base_url}/openai/deployments/{deployment}/chat/completions?api-version=...
struct AzureDeployment {
  std::string deployment;
  std::string api_version;
};

struct Config {
  TransportConfig transport;
  std::optional<AzureDeployment> azure;
  ModelSettings defaults{kDefaultModel, std::nullopt, std::nullopt};
  bool stream = true;
};

// Throws AGENT_ERR_INVALID_INPUT naming the key for anything unknown, mistyped or out of range.
Config parse_config(const agent_sdk::Json& config);

}  // namespace providers::openai
