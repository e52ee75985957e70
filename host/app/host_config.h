// The host's configuration: config/host.json, then command-line overrides. Relative paths in
// the file are relative to the file's own folder, so the config works from any working
// directory.
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include "http/server_options.h"
#include "http_client/client_options.h"
#include "plugins/secret_store.h"
#include "store/store_config.h"

namespace agent_host::app {

struct HostConfig {
  http::ServerOptions http;
  std::filesystem::path plugins_dir;
  std::filesystem::path agents_dir;
  std::string log_level = "info";
  store::StoreConfig store;  // memory unless the config file names a durable store
  std::map<std::string, plugins::SecretSource> secrets;
  // The outbound HTTP client plugins use (proxies always come from the environment).
  http_client::ClientOptions http_client;
};

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Defaults for everything; plugins_dir is the bundled plugins' folder next to the binary.
HostConfig default_host_config();

// Reads `file` over the defaults. Throws ConfigError naming the file and the field.
HostConfig load_host_config(const std::filesystem::path& file);

// The folder of bundled plugins for this binary: <exe>/../plugins in a build tree, otherwise the
// installed plugin folder.
std::filesystem::path default_plugins_dir();

}  // namespace agent_host::app
