#include "agents/turn_pipeline.h"

#include <agent_sdk/agent_plugin.h>
#include <spdlog/spdlog.h>

#include <agent_sdk/json_codec.hpp>
#include <chrono>
#include <functional>

#include "agents/prompt_builder.h"
#include "agents/provider_reply.h"
#include "agents/tool_box.h"
#include "ids/random_uuid.h"
#include "observability/host_metrics.h"
#include "observability/provider_health.h"

namespace agent_host::agents {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string new_id() { return ids::random_uuid(); }

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

TurnError::Kind error_kind(std::int32_t status) {
  switch (status) {
    case AGENT_ERR_TIMEOUT:
      return TurnError::Kind::upstream_timeout;
    case AGENT_ERR_UNAVAILABLE:
      return TurnError::Kind::unavailable;
    case AGENT_ERR_INVALID_INPUT:
      return TurnError::Kind::invalid_request;
    default:
      return TurnError::Kind::upstream;
  }
}

// Worth trying the next provider: the failure says nothing about the request itself.
bool is_retryable(const plugins::InvokeResult& outcome) {
  return outcome.retryable || outcome.status == AGENT_ERR_UNAVAILABLE ||
         outcome.status == AGENT_ERR_TIMEOUT;
}

// The text of a message's "content": a string, or the text parts of an array of parts.
std::string content_text(const nlohmann::json& message) {
  const auto content = message.find("content");
  if (content == message.end() || content->is_null()) return "";
  if (content->is_string()) return content->get<std::string>();
  std::string text;
  if (content->is_array()) {
    for (const auto& part : *content) {
      if (part.is_object() && part.value("type", "") == "text" && part.contains("text") &&
          part["text"].is_string()) {
        text += part["text"].get<std::string>();
      }
    }
  }
  return text;
}

// Runs a store call; its failures become the turn's errors.
template <typename F>
auto with_store(F&& call) {
  try {
    return call();
  } catch (const store::StoreFullError& e) {
    throw TurnError(TurnError::Kind::store_full, e.what());
  } catch (const store::StoreUnavailableError& e) {
    throw TurnError(TurnError::Kind::store_unavailable, e.what());
  } catch (const std::out_of_range& e) {
    throw TurnError(TurnError::Kind::not_found, e.what());
  }
}

// Counts a chat turn and times it, whatever its outcome (the original design's
// conversations_total and response_time_seconds).
class TurnMetrics {
 public:
  TurnMetrics() { observability::host_metrics().conversations.inc(); }
  ~TurnMetrics() {
    observability::host_metrics().response_time.with({}).observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
  }
  TurnMetrics(const TurnMetrics&) = delete;
  TurnMetrics& operator=(const TurnMetrics&) = delete;

 private:
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// A provider call's failure in the metrics and in the provider's last result (GET /ready).
void record_provider_failure(const std::string& provider, const plugins::InvokeResult& outcome) {
  auto& metrics = observability::host_metrics();
  metrics.provider_calls.with({provider, "error"}).inc();
  metrics.upstream_errors
      .with({provider, observability::upstream_error_type(outcome.status, outcome.error)})
      .inc();
  if (outcome.status != AGENT_ERR_CANCELLED) {
    observability::provider_health().record_error(provider, outcome.error);
  }
}

void record_provider_success(const std::string& agent, const std::string& provider,
                             std::int64_t prompt_tokens, std::int64_t completion_tokens) {
  auto& metrics = observability::host_metrics();
  metrics.provider_calls.with({provider, "ok"}).inc();
  if (prompt_tokens > 0) {
    metrics.tokens.with({agent, provider, "prompt"}).inc(static_cast<std::uint64_t>(prompt_tokens));
  }
  if (completion_tokens > 0) {
    metrics.tokens.with({agent, provider, "completion"})
        .inc(static_cast<std::uint64_t>(completion_tokens));
  }
  observability::provider_health().record_ok(provider);
}

}  // namespace

struct TurnPipeline::Turn {
  Turn(const Agent& a, const TurnOptions& o) : agent(a), options(o) {}

  const Agent& agent;
  const TurnOptions& options;
  std::string user_id;
  std::string tenant;
  nlohmann::json context = nlohmann::json::object();
  nlohmann::json tools = nlohmann::json::array();         // declared to the provider this step
  nlohmann::json client_tools = nlohmann::json::array();  // /v1: the client's own tools
  ToolBox toolbox;                                        // the agent's tools (run by the host)
  bool transcript = false;            // /v1: tool calls the host does not run go back to the client
  std::vector<store::Message> steps;  // assistant tool-call messages and tool results, in order
  nlohmann::json option_overrides = nlohmann::json::object();
  store::Conversation conversation;
  bool new_conversation = false;
  nlohmann::json rule_history = nlohmann::json::array();  // what check_input sees
  std::string original_message;
  std::string effective_message;  // the user message after input rules
  std::string response;
  std::string streamed;  // the part of `response` the observer has already seen
  nlohmann::json tool_calls = nlohmann::json::array();
  std::optional<std::string> refusal;
  Usage usage;
  std::string model;
  std::string provider;
  std::string finish_reason = "stop";
  bool interrupted = false;
  std::string session_id;
};

namespace {

// Whether the host runs this call itself: one of the agent's tools, not shadowed by a tool of the
// client's (a /v1 client declaring a tool of the same name gets the call).
bool host_runs(const TurnPipeline::Turn& turn, const nlohmann::json& call) {
  const std::string name = call.value("name", "");
  if (turn.transcript) {
    for (const auto& tool : turn.client_tools) {
      if (tool.is_object() && tool.value("name", "") == name) return false;
    }
    return turn.toolbox.has(name);
  }
  return true;  // a chat turn has no client tools: even an unknown name gets an error result
}

}  // namespace

ChatResult TurnPipeline::run(const Agent& agent, const ChatRequest& request,
                             const TurnOptions& options) {
  const TurnMetrics metrics;
  if (meter_ != nullptr) meter_->admit(agent.id(), options.account);
  Turn turn(agent, options);
  turn.user_id = request.user_id;
  turn.tenant = request.tenant;
  turn.context = request.context;
  turn.original_message = request.message;
  turn.conversation = resolve_conversation(agent, request);
  turn.new_conversation = turn.conversation.id.empty();

  std::unique_lock<std::mutex> lock;
  std::vector<store::Message> history;
  if (!turn.new_conversation) {
    lock = std::unique_lock(conversation_lock(turn.conversation.id));
    history = with_store([&] {
      return store_.recent_messages(turn.conversation.id, agent.definition().history_limit);
    });
    for (const auto& message : history) {
      // The rules judge what was said, not the tool traffic in between.
      if (message.role == "tool" || (message.role == "assistant" && message.content.empty())) {
        continue;
      }
      turn.rule_history.push_back({{"role", message.role}, {"content", message.content}});
    }
  }

  apply_input_rules(turn);
  if (!turn.refusal) {
    run_model(turn,
              build_messages(agent.system_prompt(), history, turn.effective_message, turn.context));
    if (!turn.interrupted) apply_output_rules(turn);
  }
  store_messages(turn);
  touch_session(turn);
  return to_result(turn);
}

ChatResult TurnPipeline::run_transcript(const Agent& agent, const TranscriptRequest& request,
                                        const TurnOptions& options) {
  const TurnMetrics metrics;
  if (meter_ != nullptr) meter_->admit(agent.id(), options.account);
  Turn turn(agent, options);
  turn.transcript = true;
  turn.client_tools = request.tools;
  turn.option_overrides = request.options;
  const nlohmann::json& messages = request.messages;
  const bool ends_with_user = !messages.empty() && messages.back().value("role", "") == "user";

  // Input rules judge what the user says; a tool result is the model's own business.
  if (ends_with_user) {
    for (std::size_t i = 0; i + 1 < messages.size(); ++i) {
      const std::string role = messages[i].value("role", "");
      if (role == "user" || role == "assistant") {
        turn.rule_history.push_back({{"role", role}, {"content", content_text(messages[i])}});
      }
    }
    turn.original_message = content_text(messages.back());
    apply_input_rules(turn);
  }
  if (!turn.refusal) {
    nlohmann::json prompt = nlohmann::json::array();
    prompt.push_back({{"role", "system"}, {"content", agent.system_prompt()}});
    for (std::size_t i = 0; i < messages.size(); ++i) {
      if (ends_with_user && i + 1 == messages.size()) {
        prompt.push_back({{"role", "user"}, {"content", turn.effective_message}});
      } else {
        prompt.push_back(messages[i]);
      }
    }
    run_model(turn, std::move(prompt));
    if (!turn.interrupted) apply_output_rules(turn);
  }
  return to_result(turn);
}

ChatResult TurnPipeline::to_result(Turn& turn) {
  ChatResult result;
  result.agent_id = turn.agent.id();
  result.conversation_id = turn.conversation.id;
  result.response = std::move(turn.response);
  result.usage = turn.usage;
  result.model = std::move(turn.model);
  result.finish_reason = std::move(turn.finish_reason);
  result.refusal = std::move(turn.refusal);
  result.message_count = turn.conversation.message_count;
  result.provider = std::move(turn.provider);
  result.tool_calls = std::move(turn.tool_calls);
  result.interrupted = turn.interrupted;
  result.session_id = std::move(turn.session_id);
  return result;
}

store::Conversation TurnPipeline::resolve_conversation(const Agent& agent,
                                                       const ChatRequest& request) {
  if (!request.conversation_id) return {};  // created when the turn is stored
  auto conversation = with_store([&] { return store_.find(*request.conversation_id); });
  // Another user's, tenant's or agent's conversation is reported as unknown: ids must not leak.
  if (!conversation || conversation->user_id != request.user_id ||
      conversation->tenant != request.tenant || conversation->agent_id != agent.id()) {
    throw TurnError(TurnError::Kind::not_found, "conversation " + *request.conversation_id +
                                                    " not found for this user and agent");
  }
  return *conversation;
}

void TurnPipeline::apply_input_rules(Turn& turn) {
  const nlohmann::json verdict = run_rule(turn.agent, "check_input",
                                          {{"message", turn.original_message},
                                           {"history", turn.rule_history},
                                           {"context", turn.context}},
                                          turn.options.request_id);
  const std::string action = verdict["action"].get<std::string>();
  turn.effective_message = turn.original_message;
  if (action == "refuse") {
    turn.refusal = verdict.value("reason", "the request is outside what this agent may do");
    turn.response = *turn.refusal;  // domains word their reasons for the user
    turn.model = "none";
    turn.finish_reason = "refused";
  } else if (action == "rewrite") {
    turn.effective_message = verdict.value("message", turn.original_message);
  } else if (action != "allow") {
    throw TurnError(TurnError::Kind::plugin,
                    "domain check_input returned unknown action \"" + action + "\"");
  }
}

void TurnPipeline::run_model(Turn& turn, nlohmann::json messages) {
  const Agent& agent = turn.agent;
  if (!agent.tool_sources().empty()) {
    turn.toolbox = ToolBox::collect(agent, turn.options.request_id);
  }
  for (std::size_t step = 0;; ++step) {
    // Past the step limit the provider is offered no tools, so it has to answer in text.
    const bool tools_offered = step < agent.definition().max_tool_steps;
    turn.tools = turn.client_tools;
    if (tools_offered) {
      for (auto& tool : turn.toolbox.definitions()) {
        if (host_runs(turn, tool)) turn.tools.push_back(std::move(tool));
      }
    }
    turn.response.clear();
    turn.tool_calls = nlohmann::json::array();
    call_provider(turn, messages);
    // An agent without tools of its own leaves tool calls to the caller, as before the loop.
    if (turn.interrupted || turn.tool_calls.empty() || !tools_offered || turn.toolbox.empty()) {
      return;
    }

    nlohmann::json host_calls = nlohmann::json::array();
    nlohmann::json client_calls = nlohmann::json::array();
    for (const auto& call : turn.tool_calls) {
      (host_runs(turn, call) ? host_calls : client_calls).push_back(call);
    }
    if (!client_calls.empty()) {
      // /v1: the client runs its tools. Host calls asked in the same step are not run; the model
      // asks again after the client's results if it still needs them.
      turn.tool_calls = std::move(client_calls);
      return;
    }
    if (!run_tools(turn, host_calls, messages)) return;
  }
}

bool TurnPipeline::run_tools(Turn& turn, const nlohmann::json& calls, nlohmann::json& messages) {
  TurnObserver* const observer = turn.options.observer;
  TurnCancellation* const cancellation = turn.options.cancellation;
  nlohmann::json assistant = {{"role", "assistant"}, {"tool_calls", calls}};
  assistant["content"] = turn.response.empty() ? nlohmann::json() : nlohmann::json(turn.response);
  messages.push_back(std::move(assistant));

  const std::vector<ToolOutcome> outcomes =
      turn.toolbox.run(calls, turn.options.request_id, cancellation);

  const std::int64_t now = now_ms();
  store::Message asked;
  asked.id = new_id();
  asked.role = "assistant";
  asked.content = turn.response;
  asked.created_at_ms = now;
  asked.provider = turn.provider;
  asked.model = turn.model;
  asked.tool_calls = agent_sdk::dump_json(calls);
  turn.steps.push_back(std::move(asked));
  bool client_gone = false;
  for (const ToolOutcome& outcome : outcomes) {
    messages.push_back(
        {{"role", "tool"}, {"tool_call_id", outcome.call_id}, {"content", outcome.text}});
    store::Message result;
    result.id = new_id();
    result.role = "tool";
    result.content = outcome.text;
    result.tool_call_id = outcome.call_id;
    result.created_at_ms = now;
    turn.steps.push_back(std::move(result));
    if (observer != nullptr && !client_gone && !turn.transcript) {
      nlohmann::json event = {{"id", outcome.call_id},
                              {"name", outcome.name},
                              {"content", outcome.text},
                              {"is_error", outcome.is_error}};
      if (!outcome.structured_content.is_null()) {
        event["structured_content"] = outcome.structured_content;
      }
      client_gone = !observer->on_tool_result(event);
    }
  }
  if (client_gone || (cancellation != nullptr && cancellation->cancelled())) {
    turn.interrupted = true;
    turn.response = turn.streamed;
    turn.finish_reason = "interrupted";
    turn.tool_calls = nlohmann::json::array();
    return false;
  }
  return true;
}

void TurnPipeline::call_provider(Turn& turn, const nlohmann::json& messages) {
  const Agent& agent = turn.agent;
  TurnObserver* const observer = turn.options.observer;
  TurnCancellation* const cancellation = turn.options.cancellation;
  // The input text up to its options (which differ per provider of the chain). The agent block
  // is the largest part and the same for every turn: it comes serialised from the agent.
  std::string input_head = R"({"messages":)";
  agent_sdk::append_json(input_head, messages);
  input_head += R"(,"agent":)";
  input_head += agent.provider_profile_json();
  if (!turn.tools.empty()) {
    input_head += R"(,"tools":)";
    agent_sdk::append_json(input_head, turn.tools);
  }
  input_head += R"(,"options":)";

  const auto chain = agent.provider_chain();
  std::string failures;  // why earlier providers of the chain were passed over
  for (std::size_t attempt = 0; attempt < chain.size(); ++attempt) {
    plugins::PluginInstance& provider = chain[attempt].instance;
    const std::string name = "provider '" + provider.info().id + "'";
    nlohmann::json options = chain[attempt].options;
    for (const auto& [key, value] : turn.option_overrides.items()) options[key] = value;
    std::string input = input_head;
    agent_sdk::append_json(input, options);
    input += '}';

    plugins::CallOptions call;
    call.request_id = turn.options.request_id;
    call.call_id = plugins::PluginInstance::next_call_id();
    bool output_sent = false;  // once true, no fallback: the client has seen this answer
    bool client_gone = false;
    if (observer != nullptr || cancellation != nullptr) {
      call.on_delta = [&](std::string_view json) {
        if (cancellation != nullptr && cancellation->cancelled()) return false;
        const auto delta = parse_provider_delta(json);
        if (!delta) return true;  // a delta we cannot read is skipped, not fatal
        if (delta->kind == ProviderDelta::Kind::text) {
          turn.streamed += delta->text;
          output_sent = true;
          if (observer != nullptr && !observer->on_text(delta->text)) client_gone = true;
        } else if (delta->kind == ProviderDelta::Kind::tool_call) {
          output_sent = true;
          // On /v1 the client only hears of the calls it must run itself.
          const bool for_client = !turn.transcript || !host_runs(turn, delta->tool_call);
          if (for_client && observer != nullptr && !observer->on_tool_call(delta->tool_call)) {
            client_gone = true;
          }
        }
        return !client_gone;
      };
    }
    plugins::InvokeResult outcome;
    {
      const TurnCancellation::Hook hook(cancellation,
                                        [&provider, id = call.call_id] { provider.cancel(id); });
      outcome = provider.invoke("complete", input, call);
    }
    if (client_gone || (cancellation != nullptr && cancellation->cancelled())) {
      turn.interrupted = true;
      turn.response = turn.streamed;
      turn.provider = provider.info().id;
      turn.model = provider.info().id;
      turn.finish_reason = "interrupted";
      spdlog::info("request {}: the client went away; {} cancelled after {} bytes of answer",
                   turn.options.request_id, name, turn.streamed.size());
      return;
    }
    if (!outcome.ok()) {
      record_provider_failure(provider.info().id, outcome);
      const bool last = attempt + 1 == chain.size();
      if (output_sent || last || !is_retryable(outcome)) {
        // The client gets the message; the operator needs it too (the access line says 502 only).
        spdlog::warn("request {}: {} failed: {}", turn.options.request_id, name, outcome.error);
        throw TurnError(error_kind(outcome.status), failures + name + " failed: " + outcome.error);
      }
      spdlog::warn("request {}: {} failed ({}); trying provider '{}'", turn.options.request_id,
                   name, outcome.error, chain[attempt + 1].instance.info().id);
      failures += name + " failed: " + outcome.error + "; ";
      continue;
    }

    ProviderReply reply;
    try {
      reply = parse_provider_reply(outcome.result);
    } catch (const InvalidProviderReply& e) {
      const std::string why = name + " " + e.what();
      record_provider_failure(provider.info().id, {AGENT_ERR_UPSTREAM, "", why, false});
      throw TurnError(TurnError::Kind::upstream, why);
    }
    const bool has_tool_calls = !reply.tool_calls.empty();
    if (reply.content) turn.response = std::move(*reply.content);
    if (has_tool_calls) turn.tool_calls = std::move(reply.tool_calls);
    // A turn with tool steps calls the provider several times: its usage is the sum.
    turn.usage.prompt_tokens += reply.prompt_tokens;
    turn.usage.completion_tokens += reply.completion_tokens;
    turn.usage.total_tokens += reply.total_tokens;
    if (meter_ != nullptr && reply.total_tokens > 0) {
      meter_->record(turn.agent.id(), turn.options.account, reply.total_tokens);
    }
    record_provider_success(agent.id(), provider.info().id, reply.prompt_tokens,
                            reply.completion_tokens);
    turn.provider = provider.info().id;
    turn.model = reply.model.value_or(provider.info().id);
    turn.finish_reason = reply.finish_reason.value_or(has_tool_calls ? "tool_calls" : "stop");
    // A provider that answered without streaming (or streamed less than it returned): the
    // observer still gets the whole text.
    if (observer != nullptr && turn.streamed != turn.response) {
      if (turn.response.compare(0, turn.streamed.size(), turn.streamed) == 0) {
        observer->on_text(std::string_view(turn.response).substr(turn.streamed.size()));
      } else {
        observer->on_replace(turn.response, "the provider's final answer differs from its stream");
      }
      turn.streamed = turn.response;
    }
    return;
  }
}

void TurnPipeline::apply_output_rules(Turn& turn) {
  if (turn.response.empty() && !turn.tool_calls.empty()) return;  // nothing said yet to judge
  const nlohmann::json verdict = run_rule(
      turn.agent, "check_output",
      {{"message", turn.effective_message}, {"response", turn.response}, {"context", turn.context}},
      turn.options.request_id);
  const std::string action = verdict["action"].get<std::string>();
  if (action == "rewrite") {
    turn.response = verdict.value("response", turn.response);
  } else if (action == "refuse") {
    turn.refusal = verdict.value("reason", "the answer broke this agent's rules");
    turn.response = *turn.refusal;
    turn.finish_reason = "refused";
    turn.tool_calls = nlohmann::json::array();
  } else if (action != "allow") {
    throw TurnError(TurnError::Kind::plugin,
                    "domain check_output returned unknown action \"" + action + "\"");
  }
  // What the client already saw must end up equal to the stored answer: an appended disclaimer
  // streams as one more piece; anything else replaces the text.
  TurnObserver* const observer = turn.options.observer;
  if (observer != nullptr && turn.response != turn.streamed) {
    if (turn.response.compare(0, turn.streamed.size(), turn.streamed) == 0) {
      observer->on_text(std::string_view(turn.response).substr(turn.streamed.size()));
    } else {
      observer->on_replace(turn.response, turn.refusal ? "the answer broke this agent's rules"
                                                       : "the output rules rewrote the answer");
    }
    turn.streamed = turn.response;
  }
}

void TurnPipeline::store_messages(Turn& turn) {
  const std::int64_t now = now_ms();
  // The user's message is stored as the input rules left it: a redaction rule exists so that
  // the redacted data is neither sent to the model nor kept.
  store::Message user;
  user.id = new_id();
  user.role = "user";
  user.content = turn.effective_message;
  user.tokens = turn.usage.prompt_tokens;
  user.created_at_ms = now;
  store::Message assistant;
  assistant.id = new_id();
  assistant.role = "assistant";
  assistant.content = turn.response;
  assistant.tokens = turn.usage.completion_tokens;
  assistant.created_at_ms = now;
  assistant.interrupted = turn.interrupted;
  assistant.provider = turn.provider;
  assistant.model = turn.model;
  if (!turn.tool_calls.empty()) assistant.tool_calls = agent_sdk::dump_json(turn.tool_calls);
  with_store([&] {
    std::vector<store::Message> messages;
    messages.reserve(turn.steps.size() + 2);
    messages.push_back(std::move(user));
    for (auto& step : turn.steps) messages.push_back(std::move(step));
    messages.push_back(std::move(assistant));
    // A first turn is one write: the conversation and its messages, all or none.
    turn.conversation =
        turn.new_conversation
            ? store_.create_with_messages(turn.user_id, turn.agent.id(), turn.tenant, messages)
            : store_.append(turn.conversation.id, messages);
  });
}

void TurnPipeline::touch_session(Turn& turn) {
  if (sessions_ == nullptr) return;
  // Sessions are bookkeeping: the turn is stored already, so a session store that is down (its
  // client logs the outage once) costs the answer its session_id, nothing more.
  try {
    // One session per user and agent; with auth the same subject in two tenants is two users, so
    // the tenant is part of the session's user key (joined by the ASCII unit separator).
    const std::string user =
        turn.tenant.empty() ? turn.user_id : turn.tenant + '\x1f' + turn.user_id;
    turn.session_id = sessions_->touch(user, turn.agent.id(), turn.conversation.id, 2).session_id;
  } catch (const std::exception& e) {
    spdlog::debug("request {}: no session: {}", turn.options.request_id, e.what());
  }
}

std::mutex& TurnPipeline::conversation_lock(const std::string& conversation_id) {
  return conversation_locks_[std::hash<std::string>{}(conversation_id) %
                             conversation_locks_.size()];
}

}  // namespace agent_host::agents
