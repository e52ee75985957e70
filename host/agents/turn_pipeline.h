// One chat turn, as explicit steps (DESIGN.md "A chat turn"):
//   validate (resolve conversation) -> domain input rules -> prompt -> provider (streamed, with
//   fallbacks) <-> tools (bounded loop) -> domain output rules -> store -> result.
// Each step is one member function below, so a later agent-defined graph can reorder them.
// It knows nothing of HTTP: failures are TurnErrors that the HTTP layer maps to statuses, and
// streaming clients follow the turn through a TurnObserver.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "agents/agent.h"
#include "agents/turn_meter.h"
#include "agents/turn_observer.h"
#include "store/conversation_store.h"
#include "store/session_store.h"

namespace agent_host::agents {

struct ChatRequest {
  std::string user_id;
  std::string message;
  std::optional<std::string> conversation_id;
  nlohmann::json context = nlohmann::json::object();
  std::string tenant;  // the principal's tenant with auth on; "" otherwise (last: brace-inits)
};

// A turn whose transcript the client owns (the OpenAI-compatible API): nothing is read from or
// written to the conversation store.
struct TranscriptRequest {
  // Chat messages in the provider format (see agent_plugin.h); the last is "user" or "tool".
  nlohmann::json messages = nlohmann::json::array();
  // Tools the model may call [{"name","description","input_schema"}]; empty for none.
  nlohmann::json tools = nlohmann::json::array();
  // Per-call overrides of the agent's provider options (temperature, max_tokens).
  nlohmann::json options = nlohmann::json::object();
};

struct TurnOptions {
  std::string request_id;
  TurnObserver* observer = nullptr;          // set for streamed answers
  TurnCancellation* cancellation = nullptr;  // set when the client can go away mid-turn
  std::string account = {};  // who the tokens are billed to (token budgets); "" if anonymous
};

struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t total_tokens = 0;
};

struct ChatResult {
  std::string agent_id;
  std::string conversation_id;
  std::string response;
  Usage usage;
  std::string model;
  std::string finish_reason;
  std::optional<std::string> refusal;  // set when a domain rule refused the turn
  std::int64_t message_count = 0;
  std::string provider;  // the plugin that answered (a fallback when the first one failed)
  nlohmann::json tool_calls = nlohmann::json::array();  // [{"id","name","arguments"}]
  bool interrupted = false;  // cancelled mid-answer; `response` is what came until then
  std::string session_id;    // the user's session with the agent; "" when sessions are unavailable
};

class TurnError : public std::runtime_error {
 public:
  enum class Kind {
    not_found,          // unknown conversation (or one of another user, tenant or agent)
    upstream,           // the provider failed or answered garbage
    upstream_timeout,   // the provider ran out of time
    unavailable,        // a dependency is down; retry later
    store_full,         // the store refused to grow
    store_unavailable,  // the store cannot be reached (database down); retry later
    plugin,             // a personality or domain plugin failed
    invalid_request,    // the provider refused the input as invalid (e.g. a malformed transcript)
  };
  TurnError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

class TurnPipeline {
 public:
  struct Turn;  // the state carried from step to step (defined in the .cpp)

  // `sessions` (optional) is touched after each stored turn; `meter` (optional) admits turns and
  // counts their tokens (token budgets).
  explicit TurnPipeline(store::ConversationStore& store, store::SessionStore* sessions = nullptr,
                        TurnMeter* meter = nullptr)
      : store_(store), sessions_(sessions), meter_(meter) {}

  // Runs one turn. Throws TurnError; never leaves half a turn stored. A turn cancelled through
  // options.cancellation is stored (user message plus the partial answer, marked interrupted)
  // and returned with `interrupted` set.
  ChatResult run(const Agent& agent, const ChatRequest& request, const TurnOptions& options);
  ChatResult run(const Agent& agent, const ChatRequest& request, const std::string& request_id) {
    return run(agent, request, TurnOptions{request_id});
  }
  // The same steps on a transcript the client sent; stores nothing.
  ChatResult run_transcript(const Agent& agent, const TranscriptRequest& request,
                            const TurnOptions& options);

 private:
  store::Conversation resolve_conversation(const Agent& agent, const ChatRequest& request);
  void apply_input_rules(Turn& turn);
  // provider <-> tools: calls the provider, runs the host tools it asks for, feeds the results
  // back, until a text answer or the agent's max_tool_steps (then one last call without tools).
  void run_model(Turn& turn, nlohmann::json messages);
  void call_provider(Turn& turn, const nlohmann::json& messages);
  // Runs `calls` with the agent's tools; appends the assistant message and the results to
  // `messages` and to the turn's stored steps. False when the turn was cancelled meanwhile.
  bool run_tools(Turn& turn, const nlohmann::json& calls, nlohmann::json& messages);
  void apply_output_rules(Turn& turn);
  void store_messages(Turn& turn);
  void touch_session(Turn& turn);
  static ChatResult to_result(Turn& turn);

  std::mutex& conversation_lock(const std::string& conversation_id);

  store::ConversationStore& store_;
  store::SessionStore* const sessions_;
  TurnMeter* const meter_;
  // Turns on one conversation run one at a time, so its messages keep their order; striped so
  // the number of mutexes stays fixed however many conversations there are.
  std::array<std::mutex, 64> conversation_locks_;
};

}  // namespace agent_host::agents
