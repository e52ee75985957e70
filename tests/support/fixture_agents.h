// Builds a folder of fixture plugins and agent definitions for agent and HTTP tests.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "support/temp_dir.h"

namespace agent_test {

// An agent definition JSON using the fixture plugins (plain_c + gatekeeper + echo).
inline nlohmann::json fixture_agent(const std::string& id, std::size_t history_limit = 20) {
  return {{"id", id},
          {"display_name", "Fixture " + id},
          {"description", "An agent made of fixture plugins"},
          {"personality", "plain_c"},
          {"domain", "gatekeeper"},
          {"provider", {{"id", "echo"}, {"config", {{"prefix", "echo"}}}}},
          {"history_limit", history_limit}};
}

// Copies the fixture plugins the fixture agents need into <dir>/plugins.
inline void install_fixture_plugins(const TempDir& dir) {
  for (const char* name :
       {"echo_provider", "plain_c_personality", "gatekeeper_domain", "broken_create_fails"}) {
    dir.copy(fixture_plugin(name), std::string("plugins/") + name + ".so");
  }
}

}  // namespace agent_test
