#include "plugins/plugin_cache.h"

#include <Poco/Crypto/DigestEngine.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <system_error>

namespace agent_host::plugins {

PluginBytes read_plugin_file(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) throw std::runtime_error("cannot read " + file.string() + ": " + ec.message());
  if (size > kMaxPluginBytes) {
    throw std::runtime_error(file.string() + " is larger than " +
                             std::to_string(kMaxPluginBytes / (1024 * 1024)) + " MiB");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + file.string());
  PluginBytes bytes;
  // One read of the whole file: a character iterator costs seconds per start under ASan, where
  // the bundled plugins are 160 MB.
  bytes.data.resize(static_cast<std::size_t>(size));
  in.read(bytes.data.data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) {
    throw std::runtime_error("cannot read " + file.string() + " (it changed while being read)");
  }
  // OpenSSL's SHA-256 (through Poco::Crypto): several times faster than Poco::SHA2Engine.
  Poco::Crypto::DigestEngine sha("SHA256");
  sha.update(bytes.data.data(), static_cast<unsigned>(bytes.data.size()));
  bytes.sha256 = Poco::DigestEngine::digestToHex(sha.digest());
  return bytes;
}

PluginCache::PluginCache(const std::filesystem::path& parent) {
  const auto base = parent.empty() ? std::filesystem::temp_directory_path() : parent;
  std::error_code ec;
  std::filesystem::create_directories(base, ec);
  std::string pattern = (base / "agent-host-plugins-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot create the plugin cache under " + base.string() + ": " +
                             std::generic_category().message(errno));
  }
  folder_ = pattern;
}

PluginCache::~PluginCache() {
  std::error_code ec;
  std::filesystem::remove_all(folder_, ec);
}

std::filesystem::path PluginCache::store(const PluginBytes& bytes) const {
  const auto target = folder_ / (bytes.sha256 + ".so");
  std::error_code ec;
  if (std::filesystem::exists(target, ec)) return target;
  // Rename into place so a concurrent loader never maps a half-written copy.
  const auto temp = folder_ / (bytes.sha256 + ".so.part");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data.data(), static_cast<std::streamsize>(bytes.data.size()));
    out.close();  // a failed flush (full disk) must be seen here, not lost in the destructor
    if (!out) {
      std::filesystem::remove(temp, ec);
      throw std::runtime_error("cannot write the plugin copy " + temp.string());
    }
  }
  std::filesystem::rename(temp, target, ec);
  if (ec) throw std::runtime_error("cannot rename " + temp.string() + ": " + ec.message());
  return target;
}

}  // namespace agent_host::plugins
