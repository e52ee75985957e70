#include "agents/turn_pipeline.h"

#include <Poco/UUIDGenerator.h>
#include <agent_sdk/agent_plugin.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>

#include "agents/prompt_builder.h"

namespace agent_host::agents {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string new_id() { return Poco::UUIDGenerator::defaultGenerator().createRandom().toString(); }

std::int64_t token_field(const nlohmann::json& usage, const char* key) {
  const auto it = usage.find(key);
  return it != usage.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

// Runs a rule method of the domain and returns its parsed answer.
nlohmann::json run_rule(const Agent& agent, const char* method, const nlohmann::json& input,
                        const std::string& request_id) {
  plugins::CallOptions options;
  options.request_id = request_id;
  try {
    nlohmann::json verdict = agent.domain().invoke_json(method, input, options);
    if (!verdict.is_object() || !verdict.contains("action") || !verdict["action"].is_string()) {
      throw std::runtime_error(std::string("domain ") + method + " returned no \"action\"");
    }
    return verdict;
  } catch (const std::exception& e) {
    throw TurnError(TurnError::Kind::plugin, e.what());
  }
}

}  // namespace

struct TurnPipeline::Turn {
  Turn(const Agent& a, const ChatRequest& r, const std::string& id)
      : agent(a), request(r), request_id(id) {}

  const Agent& agent;
  const ChatRequest& request;
  const std::string& request_id;
  store::Conversation conversation;
  bool new_conversation = false;
  std::vector<store::Message> history;
  std::string effective_message;  // the user message after input rules
  std::string response;
  std::optional<std::string> refusal;
  Usage usage;
  std::string model;
  std::string finish_reason = "stop";
};

ChatResult TurnPipeline::run(const Agent& agent, const ChatRequest& request,
                             const std::string& request_id) {
  Turn turn(agent, request, request_id);
  turn.conversation = resolve_conversation(agent, request);
  turn.new_conversation = turn.conversation.id.empty();

  std::unique_lock<std::mutex> lock;
  if (!turn.new_conversation) {
    lock = std::unique_lock(conversation_lock(turn.conversation.id));
    turn.history = store_.recent_messages(turn.conversation.id, agent.definition().history_limit);
  }

  apply_input_rules(turn);
  if (!turn.refusal) {
    call_provider(turn);
    apply_output_rules(turn);
  }
  store_messages(turn);

  ChatResult result;
  result.agent_id = agent.id();
  result.conversation_id = turn.conversation.id;
  result.response = std::move(turn.response);
  result.usage = turn.usage;
  result.model = std::move(turn.model);
  result.finish_reason = std::move(turn.finish_reason);
  result.refusal = std::move(turn.refusal);
  result.message_count = turn.conversation.message_count;
  return result;
}

store::Conversation TurnPipeline::resolve_conversation(const Agent& agent,
                                                       const ChatRequest& request) {
  if (!request.conversation_id) return {};  // created when the turn is stored
  auto conversation = store_.find(*request.conversation_id);
  // Another user's or another agent's conversation is reported as unknown: ids must not leak.
  if (!conversation || conversation->user_id != request.user_id ||
      conversation->agent_id != agent.id()) {
    throw TurnError(TurnError::Kind::not_found, "conversation " + *request.conversation_id +
                                                    " not found for this user and agent");
  }
  return *conversation;
}

void TurnPipeline::apply_input_rules(Turn& turn) {
  nlohmann::json history = nlohmann::json::array();
  for (const auto& message : turn.history) {
    history.push_back({{"role", message.role}, {"content", message.content}});
  }
  const nlohmann::json verdict = run_rule(
      turn.agent, "check_input",
      {{"message", turn.request.message}, {"history", history}, {"context", turn.request.context}},
      turn.request_id);
  const std::string action = verdict["action"].get<std::string>();
  turn.effective_message = turn.request.message;
  if (action == "refuse") {
    turn.refusal = verdict.value("reason", "the request is outside what this agent may do");
    turn.response = *turn.refusal;  // domains word their reasons for the user
    turn.model = "none";
    turn.finish_reason = "refused";
  } else if (action == "rewrite") {
    turn.effective_message = verdict.value("message", turn.request.message);
  } else if (action != "allow") {
    throw TurnError(TurnError::Kind::plugin,
                    "domain check_input returned unknown action \"" + action + "\"");
  }
}

void TurnPipeline::call_provider(Turn& turn) {
  const Agent& agent = turn.agent;
  nlohmann::json input = {
      {"messages", build_messages(agent.system_prompt(), turn.history, turn.effective_message,
                                  turn.request.context)},
      {"options", agent.definition().provider_options},
      {"agent", {{"personality", agent.persona()}, {"domain", agent.domain_profile()}}}};

  plugins::CallOptions options;
  options.request_id = turn.request_id;
  const plugins::InvokeResult outcome = agent.provider().invoke("complete", input.dump(), options);
  const std::string provider = "provider '" + agent.provider().info().id + "'";
  if (!outcome.ok()) {
    const auto kind = outcome.status == AGENT_ERR_TIMEOUT       ? TurnError::Kind::upstream_timeout
                      : outcome.status == AGENT_ERR_UNAVAILABLE ? TurnError::Kind::unavailable
                                                                : TurnError::Kind::upstream;
    throw TurnError(kind, provider + " failed: " + outcome.error);
  }
  nlohmann::json result;
  try {
    result = nlohmann::json::parse(outcome.result);
  } catch (const nlohmann::json::parse_error&) {
    throw TurnError(TurnError::Kind::upstream, provider + " returned invalid JSON");
  }
  const auto message = result.find("message");
  if (message == result.end() || !message->is_object() || !message->contains("content") ||
      !(*message)["content"].is_string()) {
    throw TurnError(TurnError::Kind::upstream, provider + " returned no message content");
  }
  turn.response = (*message)["content"].get<std::string>();
  if (const auto usage = result.find("usage"); usage != result.end() && usage->is_object()) {
    turn.usage.prompt_tokens = token_field(*usage, "prompt_tokens");
    turn.usage.completion_tokens = token_field(*usage, "completion_tokens");
    turn.usage.total_tokens = token_field(*usage, "total_tokens");
    if (turn.usage.total_tokens == 0) {
      turn.usage.total_tokens = turn.usage.prompt_tokens + turn.usage.completion_tokens;
    }
  }
  turn.model = result.value("model", agent.provider().info().id);
  turn.finish_reason = result.value("finish_reason", "stop");
}

void TurnPipeline::apply_output_rules(Turn& turn) {
  const nlohmann::json verdict = run_rule(turn.agent, "check_output",
                                          {{"message", turn.effective_message},
                                           {"response", turn.response},
                                           {"context", turn.request.context}},
                                          turn.request_id);
  const std::string action = verdict["action"].get<std::string>();
  if (action == "rewrite") {
    turn.response = verdict.value("response", turn.response);
  } else if (action == "refuse") {
    turn.refusal = verdict.value("reason", "the answer broke this agent's rules");
    turn.response = *turn.refusal;
    turn.finish_reason = "refused";
  } else if (action != "allow") {
    throw TurnError(TurnError::Kind::plugin,
                    "domain check_output returned unknown action \"" + action + "\"");
  }
}

void TurnPipeline::store_messages(Turn& turn) {
  const std::int64_t now = now_ms();
  // The user's message is stored as the input rules left it: a redaction rule exists so that
  // the redacted data is neither sent to the model nor kept.
  const std::vector<store::Message> messages = {
      {new_id(), "user", turn.effective_message, turn.usage.prompt_tokens, now},
      {new_id(), "assistant", turn.response, turn.usage.completion_tokens, now}};
  try {
    if (turn.new_conversation) {
      turn.conversation = store_.create(turn.request.user_id, turn.agent.id());
    }
    turn.conversation = store_.append(turn.conversation.id, messages);
  } catch (const store::StoreFullError& e) {
    throw TurnError(TurnError::Kind::store_full, e.what());
  } catch (const std::out_of_range& e) {
    throw TurnError(TurnError::Kind::not_found, e.what());
  }
}

std::mutex& TurnPipeline::conversation_lock(const std::string& conversation_id) {
  return conversation_locks_[std::hash<std::string>{}(conversation_id) %
                             conversation_locks_.size()];
}

}  // namespace agent_host::agents
