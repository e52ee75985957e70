#include "app/readiness_checks.h"

#include <exception>

#include "http/iso_time.h"

namespace agent_host::app {
namespace {

const char* store_name(store::StoreConfig::Type type) {
  switch (type) {
    case store::StoreConfig::Type::sqlite:
      return "sqlite";
    case store::StoreConfig::Type::postgresql:
      return "postgresql";
    default:
      return "memory";
  }
}

}  // namespace

std::vector<observability::ReadinessCheck> make_readiness_checks(
    const HostConfig& config, const store::ConversationStore& durable,
    const std::vector<http::NamedDependency>& dependencies, const plugins::PluginRegistry& plugins,
    const agents::AgentRegistry& agents) {
  using observability::CheckResult;
  std::vector<observability::ReadinessCheck> checks;

  // One read through the store's own path (pool, connection, query): a chat turn needs it.
  const std::string type = store_name(config.store.type);
  checks.push_back({"store", true, [&durable, type] {
                      try {
                        (void)durable.find("00000000-0000-0000-0000-000000000000");
                        return CheckResult{true, {{"type", type}}};
                      } catch (const std::exception& e) {
                        return CheckResult{false, {{"type", type}, {"error", e.what()}}};
                      }
                    }});

  if (config.store.type == store::StoreConfig::Type::sqlite) {
    const auto folder = config.store.sqlite_path.parent_path();
    const std::uint64_t min_free = config.ready_min_free_disk_mb * 1024 * 1024;
    checks.push_back({"disk", true, [folder, min_free] {
                        return observability::check_disk_space(folder, min_free);
                      }});
  }

  // Refused files do not make the host unready; having no agent to serve at all does.
  checks.push_back({"plugins", true, [&plugins, &agents] {
                      const auto plugin_set = plugins.current();
                      const auto agent_set = agents.current();
                      nlohmann::json refused = nlohmann::json::array();
                      for (const auto& refusal : plugin_set->refused) {
                        refused.push_back(refusal.file.string());
                      }
                      return CheckResult{!agent_set->agents.empty(),
                                         {{"loaded", plugin_set->plugins.size()},
                                          {"refused", std::move(refused)},
                                          {"agents", agent_set->agents.size()},
                                          {"agents_refused", agent_set->refused.size()}}};
                    }});

  // Redis is bypassed while down (turns go to the store): reported, not required.
  for (const auto& dependency : dependencies) {
    checks.push_back({dependency.name, false, [status = dependency.status] {
                        const auto state = status();
                        nlohmann::json details = {{"since", http::iso8601_ms(state.since_ms)}};
                        if (!state.last_error.empty()) details["last_error"] = state.last_error;
                        return CheckResult{state.ok, std::move(details)};
                      }});
  }

  checks.push_back({"providers", false, [] { return observability::check_providers(); }});
  return checks;
}

}  // namespace agent_host::app
