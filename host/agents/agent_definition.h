// An agent as an operator writes it: config/agents/<id>.json. Parsing is strict (unknown keys
// are errors) so a typo is reported instead of silently ignored.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace agent_host::agents {

// A reference to a plugin plus the config its create() receives.
struct PluginRef {
  std::string id;
  nlohmann::json config = nlohmann::json::object();
};

struct AgentDefinition {
  std::string id;
  std::string display_name;
  std::string description;
  PluginRef personality;
  PluginRef domain;
  PluginRef provider;
  // Per-call provider options (model, temperature, max_tokens...), sent with every completion.
  nlohmann::json provider_options = nlohmann::json::object();
  // Tried in order when the provider before fails with a retryable error before any output
  // reached the client. Each has its own config and options.
  struct Fallback {
    PluginRef provider;
    nlohmann::json options = nlohmann::json::object();
  };
  std::vector<Fallback> fallback_providers;
  std::vector<PluginRef> tools;
  // Tool names the model may call, across all tool sources; empty = every tool they list.
  std::vector<std::string> allowed_tools;
  // Rounds of tool calls in one turn before the provider must answer in text (DESIGN.md: the
  // tool loop is bounded).
  std::size_t max_tool_steps = 8;
  // Stored messages sent to the model as history (the original design's 20).
  std::size_t history_limit = 20;
  std::filesystem::path source_file;  // empty when not read from a file
};

class DefinitionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kDefaultHistoryLimit = 20;
inline constexpr std::size_t kMaxHistoryLimit = 1000;
inline constexpr std::size_t kMaxFallbackProviders = 8;
inline constexpr std::size_t kMaxToolSteps = 64;

// Throws DefinitionError naming the offending field.
AgentDefinition parse_agent_definition(const nlohmann::json& json);

// Reads and parses one file; the id must equal the file's stem. Throws DefinitionError.
AgentDefinition load_agent_definition(const std::filesystem::path& file);
// The same for text already read from `file`.
AgentDefinition parse_agent_file(std::string_view text, const std::filesystem::path& file);

// The definition as JSON (what GET /agents/{id} shows), without plugin configs, which may hold
// operator details.
nlohmann::json to_public_json(const AgentDefinition& definition);

bool is_valid_agent_id(std::string_view id) noexcept;

}  // namespace agent_host::agents
