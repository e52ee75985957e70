// A chat turn as a stream of events, the same on SSE and WebSocket:
//   delta     {"text"}                       a piece of the answer
//   tool_call {"id","name","arguments"}      a tool call the model asked for
//   tool_result {"id","name","content","is_error","structured_content"?}  the host ran it
//   replace   {"text","reason"}              output rules changed streamed text: use this text
//   done      the finished turn (the body POST /agents/{id}/chat answers without streaming)
//   error     {"error":{"code","message","request_id"},"status"}
#pragma once

#include <string>

#include "agents/turn_observer.h"
#include "agents/turn_pipeline.h"
#include "http/api.h"
#include "http/event_stream.h"
#include "http/request_context.h"

namespace agent_host::http::handlers {

class ChatEvents : public agents::TurnObserver {
 public:
  explicit ChatEvents(EventStream& stream) : stream_(stream) {}
  bool on_text(std::string_view text) override;
  bool on_tool_call(const nlohmann::json& call) override;
  bool on_replace(std::string_view text, std::string_view reason) override;
  bool on_tool_result(const nlohmann::json& result) override;

 private:
  EventStream& stream_;
};

// Runs one turn and streams it to `stream`: events as the answer forms, then "done" or "error".
// A client that hangs up (noticed on `client_fd` by the disconnect watcher, or on a failed
// write) cancels the provider call; the partial answer is stored marked interrupted. `account`
// is billed for the tokens (TurnOptions::account).
void stream_turn(const ApiServices& services, const agents::Agent& agent,
                 const agents::ChatRequest& request, const std::string& request_id,
                 EventStream& stream, int client_fd, const std::string& account);

// The "error" event's payload.
nlohmann::json error_event(int status, const std::string& code, const std::string& message,
                           const std::string& request_id);

// Sends the "error" event and counts it in errors_total{error_type=code}, as an error answered
// before any stream started is counted.
void send_error_event(EventStream& stream, int status, const std::string& code,
                      const std::string& message, const std::string& request_id);

}  // namespace agent_host::http::handlers
