#include "app/sign_plugin_command.h"

#include <Poco/Exception.h>

#include <fstream>

#include "plugins/plugin_cache.h"
#include "plugins/plugin_signature.h"

namespace agent_host::app {

int sign_plugin(const std::filesystem::path& file, const std::filesystem::path& private_key,
                std::ostream& out, std::ostream& err) {
  try {
    const plugins::PluginBytes bytes = plugins::read_plugin_file(file);
    const std::string signature = plugins::sign_plugin_bytes(bytes.data, private_key);
    const auto sig_file = plugins::signature_file(file);
    // Temp name then rename: a watching host never reads half a signature.
    const auto temp = sig_file.parent_path() / ("." + sig_file.filename().string() + ".tmp");
    {
      std::ofstream sig(temp, std::ios::binary | std::ios::trunc);
      sig << signature;
      if (!sig.flush()) throw std::runtime_error("cannot write " + temp.string());
    }
    std::filesystem::rename(temp, sig_file);
    out << "signed " << file.string() << " (sha256 " << bytes.sha256 << "): " << sig_file.string()
        << "\n";
    return 0;
  } catch (const Poco::Exception& e) {
    err << "agent-host: sign-plugin: " << e.displayText() << "\n";
  } catch (const std::exception& e) {
    err << "agent-host: sign-plugin: " << e.what() << "\n";
  }
  return 1;
}

}  // namespace agent_host::app
