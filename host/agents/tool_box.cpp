#include "agents/tool_box.h"

#include <spdlog/spdlog.h>

#include <agent_sdk/json_codec.hpp>
#include <algorithm>
#include <future>
#include <mutex>

#include "agents/json_fields.h"
#include "agents/tool_result_text.h"
#include "observability/logging.h"

namespace agent_host::agents {
namespace {

ToolOutcome error_outcome(const nlohmann::json& call, std::string text) {
  ToolOutcome outcome;
  outcome.call_id = string_field(call, "id");
  outcome.name = string_field(call, "name");
  outcome.text = std::move(text);
  outcome.is_error = true;
  outcome.content = nlohmann::json::array({{{"type", "text"}, {"text", outcome.text}}});
  return outcome;
}

}  // namespace

ToolBox ToolBox::collect(const Agent& agent, const std::string& request_id) {
  ToolBox box;
  const auto& allowed = agent.definition().allowed_tools;
  const auto& sources = agent.tool_sources();
  for (std::size_t index = 0; index < sources.size(); ++index) {
    plugins::PluginInstance& source = *sources[index];
    nlohmann::json listed;
    try {
      plugins::CallOptions options;
      options.request_id = request_id;
      listed = source.invoke_json("list_tools", nlohmann::json::object(), options);
    } catch (const std::exception& e) {
      spdlog::warn("request {}: agent '{}': tool source {} ('{}') cannot list its tools: {}",
                   request_id, agent.id(), index, source.info().id, e.what());
      box.failures_.push_back(
          {{"plugin", source.info().id}, {"index", index}, {"error", e.what()}});
      continue;
    }
    const auto tools = listed.find("tools");
    if (tools == listed.end() || !tools->is_array()) continue;
    for (const auto& tool : *tools) {
      if (!tool.is_object() || !tool.contains("name") || !tool["name"].is_string()) continue;
      const std::string name = tool["name"].get<std::string>();
      if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        continue;
      }
      if (box.by_name_.count(name) != 0) {
        spdlog::warn("agent '{}': tool '{}' is listed by two sources; the first one is used",
                     agent.id(), name);
        continue;
      }
      box.by_name_[name] = box.entries_.size();
      box.entries_.push_back({&source, index, tool});
    }
  }
  return box;
}

nlohmann::json ToolBox::definitions() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& entry : entries_) {
    out.push_back({{"name", entry.tool["name"]},
                   {"description", string_field(entry.tool, "description")},
                   {"input_schema", entry.tool.value("input_schema", nlohmann::json::object())}});
  }
  return out;
}

nlohmann::json ToolBox::listing() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& entry : entries_) {
    nlohmann::json item = {
        {"name", entry.tool["name"]},
        {"description", string_field(entry.tool, "description")},
        {"input_schema", entry.tool.value("input_schema", nlohmann::json::object())},
        {"source", {{"plugin", entry.source->info().id}, {"index", entry.source_index}}}};
    if (entry.tool.contains("title")) item["title"] = entry.tool["title"];
    if (entry.tool.contains("output_schema")) item["output_schema"] = entry.tool["output_schema"];
    out.push_back(std::move(item));
  }
  return out;
}

ToolOutcome ToolBox::run_one(const nlohmann::json& call, std::uint64_t call_id,
                             const std::string& request_id) const {
  const std::string name = string_field(call, "name");
  const auto found = by_name_.find(name);
  if (found == by_name_.end()) {
    return error_outcome(call, "error: no tool named \"" + name + "\" is available");
  }
  nlohmann::json arguments = nlohmann::json::object();
  if (call.contains("arguments")) {
    const auto& raw = call["arguments"];
    if (!raw.is_string()) {
      arguments = raw;
    } else if (const auto& text = raw.get_ref<const std::string&>(); !text.empty()) {
      arguments = agent_sdk::try_parse_json(text);
    }
  }
  if (!arguments.is_object()) {
    return error_outcome(call, "error: the arguments of \"" + name + "\" are not a JSON object");
  }
  const Entry& entry = entries_[found->second];
  plugins::CallOptions options;
  options.request_id = request_id;
  options.call_id = call_id;
  const plugins::InvokeResult result = entry.source->invoke(
      "call_tool", nlohmann::json{{"name", name}, {"arguments", arguments}}.dump(), options);
  if (!result.ok()) {
    spdlog::warn("request {}: tool '{}' failed: {}", request_id, name, result.error);
    return error_outcome(call, "error: the tool \"" + name + "\" failed: " + result.error);
  }
  const nlohmann::json parsed = agent_sdk::try_parse_json(result.result);
  if (!parsed.is_object()) {
    return error_outcome(call, "error: the tool \"" + name + "\" returned invalid JSON");
  }
  ToolOutcome outcome;
  outcome.call_id = string_field(call, "id");
  outcome.name = name;
  outcome.content = parsed.value("content", nlohmann::json::array());
  outcome.structured_content = parsed.value("structured_content", nlohmann::json());
  // value() would throw on a wrong type; a plugin's mistake must not fail the whole turn.
  const auto is_error = parsed.find("is_error");
  outcome.is_error = is_error != parsed.end() && is_error->is_boolean() && is_error->get<bool>();
  outcome.text = tool_result_text(outcome.content, outcome.structured_content);
  return outcome;
}

std::vector<ToolOutcome> ToolBox::run(const nlohmann::json& calls, const std::string& request_id,
                                      TurnCancellation* cancellation) const {
  std::vector<ToolOutcome> outcomes(calls.size());
  std::vector<std::uint64_t> call_ids(calls.size());
  for (auto& id : call_ids) id = plugins::PluginInstance::next_call_id();
  // Cancelling the turn cancels every call of this step.
  const TurnCancellation::Hook hook(cancellation, [this, &calls, &call_ids] {
    for (std::size_t i = 0; i < calls.size(); ++i) {
      const auto found = by_name_.find(string_field(calls[i], "name"));
      if (found != by_name_.end()) entries_[found->second].source->cancel(call_ids[i]);
    }
  });
  std::vector<std::future<ToolOutcome>> running;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (i >= kMaxCallsPerStep) {
      outcomes[i] = error_outcome(calls[i], "error: more than " + std::to_string(kMaxCallsPerStep) +
                                                " tool calls in one step; this one was not run");
      continue;
    }
    if (calls.size() == 1) {
      outcomes[i] = run_one(calls[i], call_ids[i], request_id);  // no thread for the usual case
      continue;
    }
    running.push_back(std::async(std::launch::async, [this, &calls, &call_ids, &request_id, i] {
      // This thread's log lines (the tool plugin's too) belong to the request.
      const observability::RequestIdScope log_scope(request_id);
      return run_one(calls[i], call_ids[i], request_id);
    }));
  }
  for (std::size_t i = 0; i < running.size(); ++i) outcomes[i] = running[i].get();
  return outcomes;
}

}  // namespace agent_host::agents
