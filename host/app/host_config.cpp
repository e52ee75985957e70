#include "app/host_config.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "app/limits_section.h"
#include "security/auth_error.h"
#include "security/bind_exposure.h"

namespace agent_host::app {
namespace {

template <typename T>
void read_number(const nlohmann::json& object, const char* key, T& out, long long min,
                 long long max, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) return;
  if (!it->is_number_integer() || it->get<long long>() < min || it->get<long long>() > max) {
    throw ConfigError(where + "." + key + " must be an integer " + std::to_string(min) + ".." +
                      std::to_string(max));
  }
  out = static_cast<T>(it->get<long long>());
}

void reject_unknown(const nlohmann::json& object, const std::set<std::string>& known,
                    const std::string& where) {
  for (const auto& [key, _] : object.items()) {
    if (known.count(key) == 0) throw ConfigError(where + ": unknown key \"" + key + "\"");
  }
}

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& value) {
  const std::filesystem::path path(value);
  return path.is_absolute() ? path : (base / path).lexically_normal();
}

std::string read_string(const nlohmann::json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw ConfigError(where + "." + key + " must be a non-empty string");
  }
  return it->get<std::string>();
}

// "store": {"type": "memory" | "sqlite" | "postgresql", ...}: each type takes only its own keys.
void read_store(const nlohmann::json& json, const std::filesystem::path& base,
                store::StoreConfig& config) {
  using Type = store::StoreConfig::Type;
  if (!json.is_object()) throw ConfigError("store must be an object");
  if (!json.contains("type") || !json["type"].is_string()) {
    throw ConfigError("store.type must be \"memory\", \"sqlite\" or \"postgresql\"");
  }
  const std::string type = json["type"].get<std::string>();
  if (type == "memory") {
    reject_unknown(json, {"type", "max_conversations", "max_messages_per_conversation"}, "store");
    config.type = Type::memory;
    read_number(json, "max_conversations", config.memory.max_conversations, 1, 100000000, "store");
    read_number(json, "max_messages_per_conversation", config.memory.max_messages_per_conversation,
                2, 10000000, "store");
  } else if (type == "sqlite") {
    reject_unknown(json, {"type", "path", "pool_size", "acquire_timeout_ms"}, "store");
    config.type = Type::sqlite;
    config.sqlite_path = resolve(base, read_string(json, "path", "store"));
  } else if (type == "postgresql") {
    reject_unknown(json,
                   {"type", "connection", "password_secret", "pool_size", "acquire_timeout_ms"},
                   "store");
    config.type = Type::postgresql;
    config.postgresql_connection = read_string(json, "connection", "store");
    if (config.postgresql_connection.find("://") != std::string::npos ||
        config.postgresql_connection.find("password") != std::string::npos) {
      throw ConfigError(
          "store.connection must be a libpq keyword/value string without a password "
          "(\"host=... port=... dbname=... user=...\"); name the password's secret in "
          "store.password_secret");
    }
    if (json.contains("password_secret")) {
      config.password_secret = read_string(json, "password_secret", "store");
    }
  } else {
    throw ConfigError("store.type must be \"memory\", \"sqlite\" or \"postgresql\", not \"" + type +
                      "\"");
  }
  read_number(json, "pool_size", config.pool_size, 1, 1024, "store");
  read_number(json, "acquire_timeout_ms", config.acquire_timeout_ms, 1, 600000, "store");
}

void read_http(const nlohmann::json& json, http::ServerOptions& http) {
  if (!json.is_object()) throw ConfigError("http must be an object");
  reject_unknown(
      json,
      {"bind", "port", "max_threads", "max_queued", "thread_stack_kib", "io_timeout_ms",
       "keep_alive_timeout_ms", "max_keep_alive_requests", "max_body_bytes", "max_json_depth",
       "max_head_bytes", "max_header_fields", "overload_retry_after_seconds"},
      "http");
  if (json.contains("bind")) {
    if (!json["bind"].is_string()) throw ConfigError("http.bind must be a string");
    http.bind = json["bind"].get<std::string>();
  }
  read_number(json, "port", http.port, 0, 65535, "http");
  read_number(json, "max_threads", http.max_threads, 1, 20000, "http");
  read_number(json, "max_queued", http.max_queued, 1, 100000, "http");
  std::size_t stack_kib = http.thread_stack_bytes / 1024;
  read_number(json, "thread_stack_kib", stack_kib, 64, 65536, "http");
  http.thread_stack_bytes = stack_kib * 1024;
  read_number(json, "io_timeout_ms", http.io_timeout_ms, 100, 3600000, "http");
  read_number(json, "keep_alive_timeout_ms", http.keep_alive_timeout_ms, 0, 3600000, "http");
  read_number(json, "max_keep_alive_requests", http.max_keep_alive_requests, 0, 1000000, "http");
  read_number(json, "max_body_bytes", http.max_body_bytes, 1024, 1LL << 30, "http");
  // At most 256: JSON is copied and serialised recursively, once per level, on worker stacks
  // that may be as small as 64 KiB (http.thread_stack_kib).
  read_number(json, "max_json_depth", http.max_json_depth, 1, 256, "http");
  // At most 64 KiB: the head is checked by peeking at the socket's receive queue (MSG_PEEK),
  // which holds only what the receive buffer allows (about 64 KiB of data with Linux's default
  // 128 KiB), so a larger head could never be seen whole.
  read_number(json, "max_head_bytes", http.max_head_bytes, 1024, 65536, "http");
  // At most 100: Poco's request parser refuses more fields anyway (with a plain 400).
  read_number(json, "max_header_fields", http.max_header_fields, 1, 100, "http");
  read_number(json, "overload_retry_after_seconds", http.overload_retry_after_seconds, 1, 3600,
              "http");
}

void read_milliseconds(const nlohmann::json& object, const char* key,
                       std::chrono::milliseconds& out, long long min, long long max,
                       const std::string& where) {
  long long value = out.count();
  read_number(object, key, value, min, max, where);
  out = std::chrono::milliseconds(value);
}

void read_http_client(const nlohmann::json& json, const std::filesystem::path& base,
                      http_client::ClientOptions& options) {
  if (!json.is_object()) throw ConfigError("http_client must be an object");
  reject_unknown(json,
                 {"ca_file", "verify_peer", "connect_timeout_ms", "first_byte_timeout_ms",
                  "idle_timeout_ms", "total_timeout_ms", "max_idle_per_origin"},
                 "http_client");
  if (json.contains("ca_file")) {
    if (!json["ca_file"].is_string() || json["ca_file"].get<std::string>().empty()) {
      throw ConfigError("http_client.ca_file must be a non-empty string (a PEM file)");
    }
    options.ca_file = resolve(base, json["ca_file"].get<std::string>()).string();
  }
  if (json.contains("verify_peer")) {
    if (!json["verify_peer"].is_boolean()) {
      throw ConfigError("http_client.verify_peer must be true or false");
    }
    options.verify_peer = json["verify_peer"].get<bool>();
  }
  read_milliseconds(json, "connect_timeout_ms", options.connect_timeout, 1, 600000, "http_client");
  read_milliseconds(json, "first_byte_timeout_ms", options.first_byte_timeout, 1, 3600000,
                    "http_client");
  read_milliseconds(json, "idle_timeout_ms", options.idle_timeout, 1, 3600000, "http_client");
  read_milliseconds(json, "total_timeout_ms", options.total_timeout, 1, 86400000, "http_client");
  read_number(json, "max_idle_per_origin", options.max_idle_per_origin, 0, 1024, "http_client");
}

void read_secrets(const nlohmann::json& json, std::map<std::string, plugins::SecretSource>& out) {
  if (!json.is_object()) throw ConfigError("secrets must be an object");
  for (const auto& [name, source] : json.items()) {
    const std::string where = "secrets." + name;
    if (!source.is_object() || source.size() != 1) {
      throw ConfigError(where +
                        " must be one of {\"env\": NAME}, {\"file\": PATH}, {\"value\": TEXT}");
    }
    const std::string type = source.begin().key();
    const nlohmann::json& ref = source.begin().value();
    if (!ref.is_string()) throw ConfigError(where + "." + type + " must be a string");
    plugins::SecretSource parsed;
    if (type == "env") {
      parsed.type = plugins::SecretSource::Type::env;
    } else if (type == "file") {
      parsed.type = plugins::SecretSource::Type::file;
    } else if (type == "value") {
      parsed.type = plugins::SecretSource::Type::value;
    } else {
      throw ConfigError(where + ": unknown source \"" + type + "\" (use env, file or value)");
    }
    parsed.ref = ref.get<std::string>();
    out[name] = std::move(parsed);
  }
}

// "reload", "plugins" and "admin": hot reload settings (README "Hot reload").
void read_reload(const nlohmann::json& json, const std::filesystem::path& base,
                 HostConfig& config) {
  if (json.contains("reload")) {
    const auto& reload = json["reload"];
    if (!reload.is_object()) throw ConfigError("reload must be an object");
    reject_unknown(reload, {"watch", "debounce_ms", "unload_deadline_ms", "cache_dir"}, "reload");
    if (reload.contains("watch")) {
      if (!reload["watch"].is_boolean()) throw ConfigError("reload.watch must be true or false");
      config.reload.watch = reload["watch"].get<bool>();
    }
    read_milliseconds(reload, "debounce_ms", config.reload.debounce, 10, 60000, "reload");
    read_milliseconds(reload, "unload_deadline_ms", config.reload.unload_deadline, 0, 86400000,
                      "reload");
    if (reload.contains("cache_dir")) {
      if (!reload["cache_dir"].is_string()) throw ConfigError("reload.cache_dir must be a string");
      config.reload.cache_dir = resolve(base, reload["cache_dir"].get<std::string>());
    }
  }
  if (json.contains("plugins")) {
    const auto& plugins = json["plugins"];
    if (!plugins.is_object()) throw ConfigError("plugins must be an object");
    reject_unknown(plugins, {"trusted_keys"}, "plugins");
    if (plugins.contains("trusted_keys")) {
      if (!plugins["trusted_keys"].is_array()) {
        throw ConfigError("plugins.trusted_keys must be an array of PEM file paths");
      }
      for (const auto& key : plugins["trusted_keys"]) {
        if (!key.is_string()) throw ConfigError("plugins.trusted_keys must hold strings");
        config.trusted_keys.push_back(resolve(base, key.get<std::string>()));
      }
    }
  }
  if (json.contains("admin")) {
    const auto& admin = json["admin"];
    if (!admin.is_object()) throw ConfigError("admin must be an object");
    reject_unknown(admin, {"enabled"}, "admin");
    if (admin.contains("enabled")) {
      if (!admin["enabled"].is_boolean()) throw ConfigError("admin.enabled must be true or false");
      config.admin_enabled = admin["enabled"].get<bool>();
    }
  }
}

void read_sessions(const nlohmann::json& json, store::SessionLimits& sessions) {
  if (!json.is_object()) throw ConfigError("sessions must be an object");
  reject_unknown(json, {"ttl_seconds", "max_sessions"}, "sessions");
  long long ttl = std::chrono::duration_cast<std::chrono::seconds>(sessions.ttl).count();
  read_number(json, "ttl_seconds", ttl, 1, 30LL * 24 * 3600, "sessions");
  sessions.ttl = std::chrono::seconds(ttl);
  read_number(json, "max_sessions", sessions.max_sessions, 1, 100000000, "sessions");
}

void read_context_cache(const nlohmann::json& json, store::ContextCacheLimits& cache) {
  if (!json.is_object()) throw ConfigError("context_cache must be an object");
  reject_unknown(json, {"messages", "max_conversations"}, "context_cache");
  read_number(json, "messages", cache.window, 1, 10000, "context_cache");
  read_number(json, "max_conversations", cache.max_conversations, 1, 100000000, "context_cache");
}

RedisConfig read_redis(const nlohmann::json& json) {
  if (!json.is_object()) throw ConfigError("redis must be an object");
  reject_unknown(json,
                 {"url", "password_secret", "connect_timeout_ms", "command_timeout_ms",
                  "max_connections", "check_interval_ms", "key_prefix"},
                 "redis");
  RedisConfig redis;
  if (!json.contains("url") || !json["url"].is_string()) {
    throw ConfigError("redis.url is required: a string such as \"redis://127.0.0.1:6379/0\"");
  }
  try {
    store::redis::parse_redis_url(json["url"].get<std::string>(), redis.connection);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("redis.url: ") + e.what());
  }
  if (json.contains("password_secret")) {
    if (!json["password_secret"].is_string() ||
        json["password_secret"].get<std::string>().empty()) {
      throw ConfigError("redis.password_secret must be the non-empty name of a secret");
    }
    redis.password_secret = json["password_secret"].get<std::string>();
  }
  if (json.contains("key_prefix")) {
    if (!json["key_prefix"].is_string() || json["key_prefix"].get<std::string>().size() > 128) {
      throw ConfigError("redis.key_prefix must be a string of at most 128 bytes");
    }
    redis.key_prefix = json["key_prefix"].get<std::string>();
  }
  auto& connection = redis.connection;
  read_milliseconds(json, "connect_timeout_ms", connection.connect_timeout, 1, 60000, "redis");
  read_milliseconds(json, "command_timeout_ms", connection.command_timeout, 1, 60000, "redis");
  read_milliseconds(json, "check_interval_ms", connection.check_interval, 100, 60000, "redis");
  read_number(json, "max_connections", connection.max_connections, 1, 1024, "redis");
  return redis;
}

}  // namespace

bool admin_routes_enabled(const HostConfig& config) {
  if (config.admin_enabled) return *config.admin_enabled;
  return config.auth.enabled || security::is_loopback_bind(config.http.bind);
}

std::filesystem::path default_plugins_dir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto beside = exe.parent_path().parent_path() / "plugins";
    if (std::filesystem::is_directory(beside, ec)) return beside;
  }
  return AGENT_HOST_INSTALLED_PLUGIN_DIR;
}

HostConfig default_host_config() {
  HostConfig config;
  config.plugins_dir = default_plugins_dir();
  config.agents_dir = "config/agents";
  return config;
}

HostConfig load_host_config(const std::filesystem::path& file) {
  HostConfig config = default_host_config();
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError("cannot read config file " + file.string());
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e999
    throw ConfigError(file.string() + ": invalid JSON: " + e.what());
  }
  try {
    if (!json.is_object()) throw ConfigError("the config must be a JSON object");
    reject_unknown(json,
                   {"http", "http_client", "plugins_dir", "agents_dir", "log_level", "store",
                    "secrets", "reload", "plugins", "admin", "sessions", "context_cache", "redis",
                    "limits", "cors", "auth", "log_format", "ready"},
                   "config");
    const auto base = std::filesystem::absolute(file).parent_path();
    if (json.contains("http")) read_http(json["http"], config.http);
    for (const char* key : {"plugins_dir", "agents_dir", "log_level", "log_format"}) {
      if (json.contains(key) && !json[key].is_string()) {
        throw ConfigError(std::string(key) + " must be a string");
      }
    }
    if (json.contains("plugins_dir")) config.plugins_dir = resolve(base, json["plugins_dir"]);
    if (json.contains("agents_dir")) config.agents_dir = resolve(base, json["agents_dir"]);
    if (json.contains("log_level")) config.log_level = json["log_level"].get<std::string>();
    if (json.contains("log_format")) {
      config.log_format = json["log_format"].get<std::string>();
      if (config.log_format != "text" && config.log_format != "json") {
        throw ConfigError("log_format must be \"text\" or \"json\"");
      }
    }
    if (json.contains("ready")) {
      const auto& ready = json["ready"];
      if (!ready.is_object()) throw ConfigError("ready must be an object");
      reject_unknown(ready, {"min_free_disk_mb"}, "ready");
      read_number(ready, "min_free_disk_mb", config.ready_min_free_disk_mb, 0, 1LL << 40, "ready");
    }
    if (json.contains("store")) read_store(json["store"], base, config.store);
    if (json.contains("secrets")) read_secrets(json["secrets"], config.secrets);
    if (json.contains("http_client"))
      read_http_client(json["http_client"], base, config.http_client);
    read_reload(json, base, config);
    read_limits_sections(json, config);
    if (json.contains("auth")) {
      try {
        config.auth = security::parse_auth_config(json["auth"], base);
      } catch (const security::AuthConfigError& e) {
        throw ConfigError(e.what());
      }
    }
    if (json.contains("sessions")) read_sessions(json["sessions"], config.sessions);
    if (json.contains("context_cache"))
      read_context_cache(json["context_cache"], config.context_cache);
    if (json.contains("redis")) {
      config.redis = read_redis(json["redis"]);
      const std::string& secret = config.redis->password_secret;
      if (!secret.empty() && config.secrets.count(secret) == 0) {
        throw ConfigError("redis.password_secret names \"" + secret +
                          "\", which is not in secrets");
      }
    }
  } catch (const ConfigError& e) {
    throw ConfigError(file.string() + ": " + e.what());
  }
  return config;
}

}  // namespace agent_host::app
