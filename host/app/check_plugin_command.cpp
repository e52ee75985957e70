#include "app/check_plugin_command.h"

#include <nlohmann/json.hpp>

#include "plugins/plugin_loader.h"

namespace agent_host::app {

int check_plugin(const std::filesystem::path& file, std::ostream& out, std::ostream& err) {
  const plugins::LoadResult result = plugins::load_plugin(file);
  if (result.refusal) {
    err << "refused: " << result.refusal->file.string() << ": " << result.refusal->reason << "\n";
    return 1;
  }
  const plugins::PluginInfo& info = result.plugin->info();
  const nlohmann::json report = {{"file", info.file.string()},
                                 {"kind", to_string(info.kind)},
                                 {"id", info.id},
                                 {"version", info.version},
                                 {"abi_version", info.abi.to_string()},
                                 {"host_abi_version", plugins::host_abi().to_string()},
                                 {"thread_safe", info.thread_safe()},
                                 {"warnings", info.warnings},
                                 {"manifest", info.manifest.raw}};
  out << report.dump(2) << "\n";
  return 0;
}

}  // namespace agent_host::app
