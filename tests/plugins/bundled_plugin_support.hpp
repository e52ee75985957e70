// Loads a bundled plugin from the build's plugins folder the way the host does, and calls it.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
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
