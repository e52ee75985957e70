// GET /plugins: what is loaded, and which files were refused and why.
#include "http/handlers/handlers.h"
#include "http/iso_time.h"

namespace agent_host::http::handlers {

void add_plugin_routes(Router& router, const ApiServices& services) {
  router.add("GET", "/plugins", [services](RequestContext& context) {
    const auto set = services.plugins.current();
    nlohmann::json plugins = nlohmann::json::array();
    for (const auto& [key, library] : set->plugins) {
      const plugins::PluginInfo& info = library->info();
      plugins.push_back({{"kind", to_string(info.kind)},
                         {"id", info.id},
                         {"version", info.version},
                         {"abi_version", info.abi.to_string()},
                         {"state", "loaded"},
                         {"thread_safe", info.thread_safe()},
                         {"file", info.file.string()},
                         {"loaded_at", iso8601_ms(info.loaded_at)},
                         {"description", info.manifest.description},
                         {"capabilities", info.manifest.capabilities},
                         {"warnings", info.warnings}});
    }
    nlohmann::json refused = nlohmann::json::array();
    for (const auto& refusal : set->refused) {
      refused.push_back({{"file", refusal.file.string()}, {"reason", refusal.reason}});
    }
    context.send_json(200, {{"host_abi_version", plugins::host_abi().to_string()},
                            {"plugins", plugins},
                            {"refused", refused}});
  });
}

}  // namespace agent_host::http::handlers
