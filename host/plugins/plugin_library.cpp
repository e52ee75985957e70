#include "plugins/plugin_library.h"

#include <algorithm>
#include <cstring>

namespace agent_host::plugins {

PluginLibrary::PluginLibrary(boost::dll::shared_library library,
                             const agent_plugin_descriptor& descriptor, PluginInfo info)
    : library_(std::move(library)), info_(std::move(info)) {
  // Read only what the plugin declared: an older minor has a shorter struct.
  const std::size_t size =
      std::min<std::size_t>(descriptor.struct_size, sizeof(agent_plugin_descriptor));
  std::memcpy(&descriptor_, &descriptor, size);
  descriptor_.struct_size = static_cast<std::uint32_t>(size);
}

}  // namespace agent_host::plugins
