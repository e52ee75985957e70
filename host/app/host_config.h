// The host's configuration: config/host.json, then command-line overrides. Relative paths in
// the file are relative to the file's own folder, so the config works from any working
// directory.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/server_options.h"
#include "http_client/client_options.h"
#include "limits/limits_config.h"
#include "plugins/secret_store.h"
#include "security/auth_config.h"
#include "store/memory_context_cache.h"
#include "store/memory_session_store.h"
#include "store/redis/redis_options.h"
#include "store/store_config.h"

namespace agent_host::app {

// The "redis" section: when present, sessions and the context cache live in Redis.
struct RedisConfig {
  store::redis::RedisOptions connection;  // the password is filled in from the secret at start
  std::string password_secret;            // a name in `secrets`; "" for a Redis without AUTH
  std::string key_prefix = "agent-host:";
};

struct HostConfig {
  http::ServerOptions http;
  std::filesystem::path plugins_dir;
  std::filesystem::path agents_dir;
  std::string log_level = "info";
  std::string log_format = "text";  // "text" or "json" (one object per line)
  // GET /ready fails its disk check when the data directory has less free space than this.
  std::uint64_t ready_min_free_disk_mb = 256;
  store::StoreConfig store;  // memory unless the config file names a durable store
  std::map<std::string, plugins::SecretSource> secrets;
  // The outbound HTTP client plugins use (proxies always come from the environment).
  http_client::ClientOptions http_client;

  // Hot reload ("reload" and "plugins" in host.json; README "Hot reload").
  struct Reload {
    bool watch = true;  // inotify on plugins_dir and agents_dir
    std::chrono::milliseconds debounce{200};
    std::chrono::milliseconds unload_deadline{30000};
    std::filesystem::path cache_dir;  // parent of the plugin cache; empty: system temp folder
  } reload;
  std::vector<std::filesystem::path> trusted_keys;  // plugins.trusted_keys (PEM public keys)
  // admin.enabled; unset: enabled when auth is on (the admin role guards them) or http.bind is
  // a loopback address.
  std::optional<bool> admin_enabled;
  security::AuthConfig auth;  // "auth" (README "Authentication")
  bool insecure = false;      // --insecure: serve a non-loopback bind without auth
  store::SessionLimits sessions;
  store::ContextCacheLimits context_cache;
  std::optional<RedisConfig> redis;
  limits::LimitsConfig limits;  // "limits" and "cors" (app/limits_section.cpp)
};

// Whether the admin routes are on: admin.enabled, or by default when auth is on or the bind is
// loopback.
bool admin_routes_enabled(const HostConfig& config);

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
