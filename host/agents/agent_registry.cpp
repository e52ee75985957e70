#include "agents/agent_registry.h"

#include <spdlog/spdlog.h>

namespace agent_host::agents {
namespace {

using plugins::PluginKind;

std::unique_ptr<plugins::PluginInstance> instantiate(PluginKind kind, const PluginRef& ref,
                                                     const plugins::PluginSet& set,
                                                     const plugins::HostServices& services) {
  auto library = set.find(kind, ref.id);
  if (!library) {
    throw std::runtime_error(std::string(to_string(kind)) + " plugin '" + ref.id +
                             "' is not loaded");
  }
  return std::make_unique<plugins::PluginInstance>(std::move(library), ref.config, services);
}

nlohmann::json describe(plugins::PluginInstance& instance) {
  plugins::CallOptions options;
  nlohmann::json out = instance.invoke_json("describe", nlohmann::json::object(), options);
  if (!out.is_object())
    throw std::runtime_error(instance.info().id + ": describe is not an object");
  return out;
}

}  // namespace

std::shared_ptr<const Agent> build_agent(const AgentDefinition& definition,
                                         const plugins::PluginSet& plugins,
                                         const plugins::HostServices& services) {
  Agent::Parts parts;
  parts.personality =
      instantiate(PluginKind::personality, definition.personality, plugins, services);
  parts.domain = instantiate(PluginKind::domain, definition.domain, plugins, services);
  parts.provider = instantiate(PluginKind::provider, definition.provider, plugins, services);
  for (const auto& fallback : definition.fallback_providers) {
    parts.fallback_providers.push_back(
        instantiate(PluginKind::provider, fallback.provider, plugins, services));
  }
  for (const auto& tool : definition.tools) {
    parts.tools.push_back(instantiate(PluginKind::tool_source, tool, plugins, services));
  }
  parts.persona = describe(*parts.personality);
  parts.domain_profile = describe(*parts.domain);
  return std::make_shared<const Agent>(definition, std::move(parts));
}

std::shared_ptr<const AgentSet> AgentRegistry::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

const AgentRefusal* AgentSet::unavailable(const std::string& id) const {
  for (const auto& refusal : refused) {
    if (refusal.unavailable && refusal.agent_id == id) return &refusal;
  }
  return nullptr;
}

namespace {

// Keeps the agent alive and counted as leased until the request lets go of it.
struct Lease {
  explicit Lease(std::shared_ptr<const Agent> leased) : agent(std::move(leased)) {
    agent->acquire_lease();
  }
  ~Lease() { agent->release_lease(); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  std::shared_ptr<const Agent> agent;
};

}  // namespace

std::shared_ptr<const Agent> AgentRegistry::find(const std::string& id) const {
  const auto set = current();
  const auto it = set->agents.find(id);
  if (it == set->agents.end()) return nullptr;
  auto lease = std::make_shared<const Lease>(it->second);
  const Agent* agent = lease->agent.get();
  return std::shared_ptr<const Agent>(std::move(lease), agent);  // aliasing: owns the lease
}

void AgentRegistry::publish(std::shared_ptr<const AgentSet> set) {
  std::lock_guard lock(mutex_);
  current_ = std::move(set);
}

}  // namespace agent_host::agents
