// The tools one turn may use: what the agent's tool sources list (filtered by its allow-list),
// and how calls the model asks for are run. A tool that fails (its server is down, times out,
// answers garbage, or the name is unknown) becomes an error result the model can read; it never
// fails the turn.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agents/agent.h"
#include "agents/turn_observer.h"

namespace agent_host::agents {

struct ToolOutcome {
  std::string call_id;
  std::string name;
  std::string text;  // what the model reads
  bool is_error = false;
  nlohmann::json content = nlohmann::json::array();  // the MCP content blocks, as returned
  nlohmann::json structured_content;                 // null when the tool gave none
};

class ToolBox {
 public:
  // Lists the tools of every source of `agent`. A source that cannot list (its server is down)
  // is logged and left out of this turn; the turn goes on with the others.
  static ToolBox collect(const Agent& agent, const std::string& request_id);

  bool empty() const noexcept { return entries_.empty(); }
  bool has(const std::string& name) const { return by_name_.count(name) != 0; }
  // [{"name","description","input_schema"}]: what the provider is told.
  nlohmann::json definitions() const;
  // GET /agents/{id}/tools: adds "source" {"plugin","index"} and the output schema.
  nlohmann::json listing() const;
  // Sources that could not list their tools: [{"plugin","index","error"}].
  const nlohmann::json& failures() const noexcept { return failures_; }

  // Runs `calls` ([{"id","name","arguments"}]) at once, one thread each, and returns their
  // outcomes in the same order. Cancelling the turn cancels every call in flight.
  std::vector<ToolOutcome> run(const nlohmann::json& calls, const std::string& request_id,
                               TurnCancellation* cancellation) const;

  // At most this many calls of one step are run; the rest get an error result.
  static constexpr std::size_t kMaxCallsPerStep = 16;

 private:
  struct Entry {
    plugins::PluginInstance* source;
    std::size_t source_index;
    nlohmann::json tool;  // as the source listed it
  };
  ToolOutcome run_one(const nlohmann::json& call, std::uint64_t call_id,
                      const std::string& request_id) const;

  std::vector<Entry> entries_;
  std::map<std::string, std::size_t> by_name_;
  nlohmann::json failures_ = nlohmann::json::array();
};

}  // namespace agent_host::agents
