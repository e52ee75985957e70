#include "agents/agent_registry.h"

#include <spdlog/spdlog.h>

#include "plugins/folder_files.h"

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

AgentSet load_agent_directory(const std::filesystem::path& directory,
                              const plugins::PluginSet& plugins,
                              const plugins::HostServices& services) {
  AgentSet set;
  std::error_code ec;
  const auto files = plugins::folder_files(directory, ".json", ec);
  if (ec) {
    spdlog::error("agents: cannot read directory {}: {}", directory.string(), ec.message());
    return set;
  }

  for (const auto& file : files) {
    AgentRefusal refusal{file.stem().string(), file, ""};
    try {
      const AgentDefinition definition = load_agent_definition(file);
      set.agents.emplace(definition.id, build_agent(definition, plugins, services));
      spdlog::info("agents: serving {} ({} + {} + {}) from {}", definition.id,
                   definition.personality.id, definition.domain.id, definition.provider.id,
                   file.string());
      continue;
    } catch (const std::exception& e) {
      refusal.reason = e.what();
    }
    spdlog::error("agents: refused {}: {}", file.string(), refusal.reason);
    set.refused.push_back(std::move(refusal));
  }
  return set;
}

std::shared_ptr<const AgentSet> AgentRegistry::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::shared_ptr<const Agent> AgentRegistry::find(const std::string& id) const {
  const auto set = current();
  const auto it = set->agents.find(id);
  return it == set->agents.end() ? nullptr : it->second;
}

void AgentRegistry::publish(std::shared_ptr<const AgentSet> set) {
  std::lock_guard lock(mutex_);
  current_ = std::move(set);
}

}  // namespace agent_host::agents
