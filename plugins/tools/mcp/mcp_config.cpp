#include "mcp/mcp_config.hpp"

#include <algorithm>

#include "common/config_reader.hpp"

namespace mcp {
namespace {

using agent_sdk::Json;
using providers::ConfigReader;

std::map<std::string, std::string> string_map(const ConfigReader& reader, const char* key) {
  std::map<std::string, std::string> out;
  const Json* object = reader.object(key);
  if (object == nullptr) return out;
  for (const auto& [name, value] : object->items()) {
    if (!value.is_string())
      reader.fail(key, "must map names to strings (\"" + name + "\" does not)");
    out[name] = value.get<std::string>();
  }
  return out;
}

std::chrono::milliseconds millis(const ConfigReader& reader, const char* key, std::int64_t min,
                                 std::int64_t max, std::chrono::milliseconds fallback) {
  const auto value = reader.integer(key, min, max);
  return value ? std::chrono::milliseconds(*value) : fallback;
}

}  // namespace

Config parse_config(const Json& json) {
  const ConfigReader reader(
      json, "mcp config",
      {"transport", "command", "args", "env", "env_secrets", "cwd", "url", "headers",
       "header_secrets", "bearer_secret", "protocol", "protocol_version", "timeout_ms",
       "init_timeout_ms", "ttl_ms", "restart", "name"});
  Config config;
  const std::string transport = reader.string("transport").value_or("stdio");
  if (transport == "stdio") {
    config.transport = TransportKind::stdio;
    const auto command = reader.string("command");
    if (!command) reader.fail("command", "is required for the stdio transport");
    config.stdio.command = *command;
    if (reader.has("args")) {
      const Json& args = json["args"];
      if (!args.is_array()) reader.fail("args", "must be an array of strings");
      for (const auto& arg : args) {
        if (!arg.is_string()) reader.fail("args", "must be an array of strings");
        config.stdio.args.push_back(arg.get<std::string>());
      }
    }
    config.stdio.env = string_map(reader, "env");
    config.stdio.env_secrets = string_map(reader, "env_secrets");
    config.stdio.cwd = reader.string("cwd").value_or("");
    if (const Json* restart = reader.object("restart")) {
      const ConfigReader backoff(*restart, "mcp config: restart",
                                 {"initial_backoff_ms", "max_backoff_ms"});
      config.stdio.initial_backoff =
          millis(backoff, "initial_backoff_ms", 10, 600000, config.stdio.initial_backoff);
      config.stdio.max_backoff =
          millis(backoff, "max_backoff_ms", 10, 3600000, config.stdio.max_backoff);
      config.stdio.max_backoff = std::max(config.stdio.max_backoff, config.stdio.initial_backoff);
    }
    for (const char* key : {"url", "headers", "header_secrets", "bearer_secret"}) {
      if (reader.has(key)) reader.fail(key, "belongs to the http transport");
    }
    config.name = config.stdio.command;
  } else if (transport == "http") {
    config.transport = TransportKind::http;
    const auto url = reader.string("url");
    if (!url || (url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0)) {
      reader.fail("url", "must be an http:// or https:// URL for the http transport");
    }
    config.http.url = *url;
    config.http.headers = string_map(reader, "headers");
    config.http.header_secrets = string_map(reader, "header_secrets");
    config.http.bearer_secret = reader.string("bearer_secret").value_or("");
    for (const char* key : {"command", "args", "env", "env_secrets", "cwd", "restart"}) {
      if (reader.has(key)) reader.fail(key, "belongs to the stdio transport");
    }
    config.name = config.http.url;
  } else {
    reader.fail("transport", "must be \"stdio\" or \"http\"");
  }

  const std::string protocol = reader.string("protocol").value_or("auto");
  if (protocol == "auto") {
    config.protocol = ProtocolChoice::automatic;
  } else if (protocol == "stateless") {
    config.protocol = ProtocolChoice::stateless;
  } else if (protocol == "handshake") {
    config.protocol = ProtocolChoice::handshake;
  } else {
    reader.fail("protocol", "must be \"auto\", \"stateless\" or \"handshake\"");
  }
  if (const auto version = reader.string("protocol_version")) {
    const auto& known = handshake_versions();
    if (std::find(known.begin(), known.end(), *version) == known.end()) {
      reader.fail("protocol_version", "must be one of 2025-11-25, 2025-06-18, 2025-03-26");
    }
    config.handshake_version = *version;
  }
  config.timeout = millis(reader, "timeout_ms", 1, 3600000, config.timeout);
  config.init_timeout = millis(reader, "init_timeout_ms", 1, 600000, config.init_timeout);
  config.ttl = millis(reader, "ttl_ms", 0, 86400000, config.ttl);
  config.name = reader.string("name").value_or(config.name);
  return config;
}

}  // namespace mcp
