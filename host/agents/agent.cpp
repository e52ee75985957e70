#include "agents/agent.h"

#include <algorithm>

#include "agents/prompt_builder.h"

namespace agent_host::agents {

Agent::Agent(AgentDefinition definition, Parts parts)
    : definition_(std::move(definition)),
      parts_(std::move(parts)),
      system_prompt_(build_system_prompt(parts_.persona, parts_.domain_profile)),
      provider_profile_json_(
          nlohmann::json{{"personality", parts_.persona}, {"domain", parts_.domain_profile}}
              .dump()) {
  for (const auto* part : {&parts_.personality, &parts_.domain, &parts_.provider}) {
    if (*part) instances_.push_back(part->get());
  }
  for (const auto& fallback : parts_.fallback_providers) instances_.push_back(fallback.get());
  for (const auto& tool : parts_.tools) instances_.push_back(tool.get());
  for (const plugins::PluginInstance* instance : instances_) {
    const auto& library = instance->library();
    if (std::find(libraries_.begin(), libraries_.end(), library) == libraries_.end()) {
      libraries_.push_back(library);
    }
  }
}

void Agent::quiesce() const noexcept {
  for (plugins::PluginInstance* instance : instances_) instance->quiesce();
}

void Agent::acquire_lease() const noexcept {
  leases_.fetch_add(1, std::memory_order_relaxed);
  for (const auto& library : libraries_) library->acquire_lease();
}

void Agent::release_lease() const noexcept {
  for (const auto& library : libraries_) library->release_lease();
  leases_.fetch_sub(1, std::memory_order_acq_rel);
}

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
