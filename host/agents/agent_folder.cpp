#include "agents/agent_folder.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <iterator>

#include "plugins/folder_files.h"

namespace agent_host::agents {
namespace {

// The previous agent's libraries that `plugins` no longer holds under the same kind and id.
std::vector<std::shared_ptr<const plugins::PluginLibrary>> changed_libraries(
    const Agent& agent, const plugins::PluginSet& plugins) {
  std::vector<std::shared_ptr<const plugins::PluginLibrary>> changed;
  for (const auto& library : agent.libraries()) {
    if (plugins.find(library->info().kind, library->info().id) != library) {
      changed.push_back(library);
    }
  }
  return changed;
}

}  // namespace

AgentFolderPass reload_agent_directory(const std::filesystem::path& directory,
                                       const plugins::PluginSet& plugins, const AgentSet& previous,
                                       const plugins::HostServices& services) {
  AgentFolderPass pass;
  std::error_code ec;
  const auto files = plugins::folder_files(directory, ".json", ec);
  if (ec) {
    spdlog::error("agents: cannot read directory {}: {}", directory.string(), ec.message());
    return pass;
  }

  for (const auto& file : files) {
    const std::string id = file.stem().string();
    std::ifstream in(file, std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto old = previous.agents.find(id);
    const std::shared_ptr<const Agent> old_agent =
        old == previous.agents.end() ? nullptr : old->second;
    const auto old_source = previous.sources.find(id);
    const bool same_text = old_source != previous.sources.end() && old_source->second == text;
    std::vector<std::shared_ptr<const plugins::PluginLibrary>> changed;
    if (old_agent) changed = changed_libraries(*old_agent, plugins);

    if (old_agent && same_text && changed.empty()) {
      pass.set.agents.emplace(id, old_agent);
      pass.set.sources.emplace(id, text);
      continue;
    }

    AgentRefusal refusal{id, file, "", false};
    try {
      if (!in) throw DefinitionError("cannot read the file");
      const AgentDefinition definition = parse_agent_file(text, file);
      pass.set.agents.emplace(id, build_agent(definition, plugins, services));
      pass.set.sources.emplace(id, text);
      spdlog::info("agents: serving {} ({} + {} + {}) from {}", id, definition.personality.id,
                   definition.domain.id, definition.provider.id, file.string());
      continue;
    } catch (const DefinitionError& e) {
      refusal.reason = e.what();
    } catch (const std::exception& e) {
      refusal.reason = e.what();
      refusal.unavailable = true;
    }

    if (old_agent && changed.empty()) {
      // A bad new definition: the running agent keeps serving.
      refusal.reason = "new definition refused, the previous one keeps serving: " + refusal.reason;
      refusal.unavailable = false;
      pass.set.agents.emplace(id, old_agent);
      pass.set.sources.emplace(id, old_source != previous.sources.end() ? old_source->second : "");
    } else if (old_agent && refusal.unavailable) {
      pass.blocked.push_back({id, refusal.reason, changed});
    }
    spdlog::error("agents: refused {}: {}", file.string(), refusal.reason);
    pass.set.refused.push_back(std::move(refusal));
  }
  return pass;
}

AgentSet load_agent_directory(const std::filesystem::path& directory,
                              const plugins::PluginSet& plugins,
                              const plugins::HostServices& services) {
  return reload_agent_directory(directory, plugins, AgentSet{}, services).set;
}

}  // namespace agent_host::agents
