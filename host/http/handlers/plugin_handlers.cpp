// GET /plugins: what is loaded (one generation per plugin file), generations still draining
// after a reload, and the last refusal per file.
#include "http/handlers/handlers.h"
#include "http/iso_time.h"

namespace agent_host::http::handlers {
namespace {

nlohmann::json library_json(const plugins::PluginLibrary& library) {
  const plugins::PluginInfo& info = library.info();
  return {{"kind", to_string(info.kind)},
          {"id", info.id},
          {"version", info.version},
          {"abi_version", info.abi.to_string()},
          {"thread_safe", info.thread_safe()},
          {"file", info.file.string()},
          {"generation", info.generation},
          {"sha256", info.sha256},
          {"loaded_at", iso8601_ms(info.loaded_at)},
          {"leases", library.leases()},
          {"description", info.manifest.description},
          {"capabilities", info.manifest.capabilities},
          {"warnings", info.warnings}};
}

}  // namespace

void add_plugin_routes(Router& router, const ApiServices& services) {
  router.add("GET", "/plugins", [services](RequestContext& context) {
    const auto set = services.plugins.current();
    auto last_refusal = [&set](const std::filesystem::path& file) -> nlohmann::json {
      for (const auto& refusal : set->refused) {
        if (refusal.file == file) return refusal.reason;
      }
      return nullptr;
    };
    nlohmann::json plugins = nlohmann::json::array();
    for (const auto& [key, library] : set->plugins) {
      nlohmann::json json = library_json(*library);
      json["state"] = "loaded";
      // A newer file that was refused while this generation keeps serving.
      json["last_refusal"] = last_refusal(library->info().file);
      plugins.push_back(std::move(json));
    }
    if (services.reloader != nullptr) {
      for (const auto& draining : services.reloader->draining()) {
        nlohmann::json json = library_json(*draining.library);
        json["state"] = "draining";
        json["retired_at"] = iso8601_ms(draining.retired_at);
        json["last_refusal"] =
            draining.refusal.empty() ? nlohmann::json(nullptr) : nlohmann::json(draining.refusal);
        plugins.push_back(std::move(json));
      }
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
