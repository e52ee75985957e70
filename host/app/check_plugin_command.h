// `agent-host check-plugin FILE`: prints the plugin's descriptor and manifest, or the exact
// reason the host would refuse the file. Exit code 0 when it would load, 1 when refused.
#pragma once

#include <filesystem>
#include <ostream>

namespace agent_host::app {

int check_plugin(const std::filesystem::path& file, std::ostream& out, std::ostream& err);

}  // namespace agent_host::app
