#include "agents/agent.h"

#include "agents/prompt_builder.h"

namespace agent_host::agents {

Agent::Agent(AgentDefinition definition, Parts parts)
    : definition_(std::move(definition)),
      parts_(std::move(parts)),
      system_prompt_(build_system_prompt(parts_.persona, parts_.domain_profile)),
      provider_profile_json_(
          nlohmann::json{{"personality", parts_.persona}, {"domain", parts_.domain_profile}}
              .dump()) {}

std::vector<Agent::ProviderChoice> Agent::provider_chain() const {
  std::vector<ProviderChoice> chain;
  chain.reserve(1 + parts_.fallback_providers.size());
  chain.push_back({*parts_.provider, definition_.provider_options});
  for (std::size_t i = 0; i < parts_.fallback_providers.size(); ++i) {
    chain.push_back({*parts_.fallback_providers[i], definition_.fallback_providers[i].options});
  }
  return chain;
}

nlohmann::json Agent::to_json() const {
  nlohmann::json json = to_public_json(definition_);
  auto plugin_json = [](const plugins::PluginInstance& instance) {
    return nlohmann::json{{"id", instance.info().id}, {"version", instance.info().version}};
  };
  json["personality"] = plugin_json(personality());
  json["personality"]["traits"] = parts_.persona.value("traits", nlohmann::json::array());
  json["personality"]["tone"] = parts_.persona.value("tone", "");
  json["personality"]["approach"] = parts_.persona.value("approach", "");
  json["domain"] = plugin_json(domain());
  json["domain"]["specialization"] = parts_.domain_profile.value("specialization", "");
  json["provider"] = plugin_json(provider());
  json["fallback_providers"] = nlohmann::json::array();
  for (const auto& fallback : parts_.fallback_providers) {
    json["fallback_providers"].push_back(plugin_json(*fallback));
  }
  return json;
}

}  // namespace agent_host::agents
