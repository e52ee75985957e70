// A running agent: its definition plus one instance of each plugin it is composed of. Immutable
// once built; requests hold a shared reference (a lease) for their whole duration, which keeps
// the instances, and through them the plugin libraries, alive.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agents/agent_definition.h"
#include "plugins/plugin_instance.h"

namespace agent_host::agents {

class Agent {
 public:
  struct Parts {
    std::unique_ptr<plugins::PluginInstance> personality;
    std::unique_ptr<plugins::PluginInstance> domain;
    std::unique_ptr<plugins::PluginInstance> provider;
    // One per definition().fallback_providers, same order.
    std::vector<std::unique_ptr<plugins::PluginInstance>> fallback_providers;
    std::vector<std::unique_ptr<plugins::PluginInstance>> tools;
    nlohmann::json persona;         // what the personality's "describe" returned
    nlohmann::json domain_profile;  // what the domain's "describe" returned
  };

  Agent(AgentDefinition definition, Parts parts);

  const AgentDefinition& definition() const noexcept { return definition_; }
  const std::string& id() const noexcept { return definition_.id; }

  // Plugin instances synchronise internally, so a const agent can still call them.
  plugins::PluginInstance& personality() const noexcept { return *parts_.personality; }
  plugins::PluginInstance& domain() const noexcept { return *parts_.domain; }
  plugins::PluginInstance& provider() const noexcept { return *parts_.provider; }

  // The provider chain a turn tries, in order: the provider, then each fallback, with the
  // per-call options that go with it.
  struct ProviderChoice {
    plugins::PluginInstance& instance;
    const nlohmann::json& options;
  };
  std::vector<ProviderChoice> provider_chain() const;

  // The tool sources, in the order of definition().tools.
  const std::vector<std::unique_ptr<plugins::PluginInstance>>& tool_sources() const noexcept {
    return parts_.tools;
  }

  const nlohmann::json& persona() const noexcept { return parts_.persona; }
  const nlohmann::json& domain_profile() const noexcept { return parts_.domain_profile; }
  // Personality + domain + knowledge, built once (the original design cached it per pair).
  const std::string& system_prompt() const noexcept { return system_prompt_; }
  // The "agent" block of a provider's input, {"personality": persona, "domain": domain profile},
  // as JSON text: the same for every turn, so serialised once rather than per call.
  const std::string& provider_profile_json() const noexcept { return provider_profile_json_; }

  // GET /agents/{id}: the definition plus what the plugins describe.
  nlohmann::json to_json() const;

  // The distinct plugin libraries this agent runs on.
  const std::vector<std::shared_ptr<const plugins::PluginLibrary>>& libraries() const noexcept {
    return libraries_;
  }
  // Tells every instance that it is about to be unloaded (before the last lease ends).
  void quiesce() const noexcept;

  // Requests in flight on this agent (AgentRegistry::find hands out counted leases). Acquiring
  // also counts a lease on each library, which is what GET /plugins shows per generation.
  void acquire_lease() const noexcept;
  void release_lease() const noexcept;
  std::int64_t leases() const noexcept { return leases_.load(std::memory_order_acquire); }

 private:
  AgentDefinition definition_;
  Parts parts_;
  std::string system_prompt_;
  std::string provider_profile_json_;
  std::vector<plugins::PluginInstance*> instances_;  // every part, owned by parts_
  std::vector<std::shared_ptr<const plugins::PluginLibrary>> libraries_;
  mutable std::atomic<std::int64_t> leases_{0};
};

}  // namespace agent_host::agents
