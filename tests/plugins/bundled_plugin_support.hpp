// Loads a bundled plugin from the build's plugins folder the way the host does, and calls it.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "plugins/host_services.h"
#include "plugins/plugin_instance.h"
#include "plugins/plugin_loader.h"

namespace bundled_plugins_test {

using agent_host::plugins::PluginCreateError;
using agent_host::plugins::PluginInstance;
using agent_host::plugins::PluginKind;
using agent_host::plugins::PluginLibrary;
using nlohmann::json;

// `target` is the CMake target, i.e. the file name without ".so".
inline std::shared_ptr<const PluginLibrary> load_library(const std::string& target) {
  const auto file = std::filesystem::path(AGENT_TEST_PLUGIN_DIR) / (target + ".so");
  auto loaded = agent_host::plugins::load_plugin(file);
  if (!loaded.plugin) {
    throw std::runtime_error("cannot load " + file.string() + ": " +
                             (loaded.refusal ? loaded.refusal->reason : "unknown reason"));
  }
  return loaded.plugin;
}

// Secrets only (none configured): no HTTP client, no call registry.
inline const agent_host::plugins::HostServices& no_services() {
  static const agent_host::plugins::SecretStore store;
  static const agent_host::plugins::HostServices services{store};
  return services;
}

inline std::unique_ptr<PluginInstance> instantiate(const std::string& target,
                                                   const json& config = json::object()) {
  return std::make_unique<PluginInstance>(load_library(target), config, no_services());
}

// The PluginCreateError message create() fails with, or "" when it succeeds.
inline std::string create_error(const std::string& target, const json& config) {
  try {
    instantiate(target, config);
  } catch (const PluginCreateError& e) {
    return e.what();
  }
  return "";
}

// A plugin instance with the host services it was created with, which must outlive it (members
// are destroyed in reverse order: the instance first).
struct HostedInstance {
  std::unique_ptr<agent_host::plugins::SecretStore> secrets;
  std::unique_ptr<agent_host::plugins::HostServices> services;
  std::unique_ptr<PluginInstance> instance;

  PluginInstance& operator*() const { return *instance; }
  PluginInstance* operator->() const { return instance.get(); }
};

inline std::unique_ptr<agent_host::plugins::SecretStore> secret_values(
    const std::map<std::string, std::string>& values) {
  std::map<std::string, agent_host::plugins::SecretSource> sources;
  for (const auto& [name, value] : values) {
    sources[name] = {agent_host::plugins::SecretSource::Type::value, value};
  }
  return std::make_unique<agent_host::plugins::SecretStore>(std::move(sources));
}

// An instance whose host has the given secrets (name -> value).
inline HostedInstance instantiate_with_secrets(const std::string& target, const json& config,
                                               const std::map<std::string, std::string>& secrets) {
  HostedInstance hosted;
  hosted.secrets = secret_values(secrets);
  // Secrets only: no HTTP client (agent_host_api.http stays NULL).
  hosted.services = std::make_unique<agent_host::plugins::HostServices>(
      agent_host::plugins::HostServices{*hosted.secrets});
  hosted.instance =
      std::make_unique<PluginInstance>(load_library(target), config, *hosted.services);
  return hosted;
}

// create_error() on a host that has the given secrets.
inline std::string create_error_with_secrets(const std::string& target, const json& config,
                                             const std::map<std::string, std::string>& secrets) {
  try {
    instantiate_with_secrets(target, config, secrets);
  } catch (const PluginCreateError& e) {
    return e.what();
  }
  return "";
}

// An instance on a host that offers no HTTP client, as an ABI 1.0 host (agent_host_api.http is
// NULL): HostServices without `http`.
inline HostedInstance instantiate_without_http(
    const std::string& target, const json& config = json::object(),
    const std::map<std::string, std::string>& secrets = {}) {
  return instantiate_with_secrets(target, config, secrets);
}

inline json call(PluginInstance& plugin, std::string_view method,
                 const json& input = json::object()) {
  return plugin.invoke_json(method, input, {});
}

inline json check_input(PluginInstance& domain, const std::string& message) {
  return call(domain, "check_input",
              {{"message", message}, {"history", json::array()}, {"context", json::object()}});
}

inline json check_output(PluginInstance& domain, const std::string& message,
                         const std::string& response) {
  return call(domain, "check_output",
              {{"message", message}, {"response", response}, {"context", json::object()}});
}

inline std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

}  // namespace bundled_plugins_test
