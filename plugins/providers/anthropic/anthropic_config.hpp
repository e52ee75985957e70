// The anthropic plugin's config, validated (see the manifest's config_schema in anthropic.cpp).
#pragma once

#include <agent_sdk/plugin.hpp>
#include <string>

#include "common/canonical_input.hpp"
#include "common/transport_config.hpp"

namespace providers::anthropic {

inline constexpr const char kDefaultBaseUrl[] = "https://api.anthropic.com";
inline constexpr const char kDefaultSecret[] = "anthropic_api_key";
inline constexpr const char kDefaultVersion[] = "2023-06-01";
// The alias of the current Sonnet snapshot (claude-sonnet-4-5-20250929 at the time of writing).
inline constexpr const char kDefaultModel[] = "claude-sonnet-4-5";
inline constexpr std::int64_t kDefaultMaxTokens = 1024;
inline constexpr double kMaxTemperature = 1.0;

struct Config {
  TransportConfig transport;
  std::string anthropic_version = kDefaultVersion;
  ModelSettings defaults{kDefaultModel, std::nullopt, kDefaultMaxTokens};
  bool stream = true;
};

// Throws AGENT_ERR_INVALID_INPUT naming the key for anything unknown, mistyped or out of range.
// (Whether the key's secret exists is the plugin's check: it needs the host.)
Config parse_config(const agent_sdk::Json& config);

}  // namespace providers::anthropic
