#include "http/handlers/chat_events.h"

#include <spdlog/spdlog.h>

#include "http/disconnect_watcher.h"
#include "http/handlers/chat_response.h"
#include "observability/host_metrics.h"

namespace agent_host::http::handlers {

bool ChatEvents::on_text(std::string_view text) {
  if (text.empty()) return true;
  return stream_.send("delta", {{"text", text}});
}

bool ChatEvents::on_tool_call(const nlohmann::json& call) {
  return stream_.send("tool_call", call);
}

bool ChatEvents::on_tool_result(const nlohmann::json& result) {
  return stream_.send("tool_result", result);
}

bool ChatEvents::on_replace(std::string_view text, std::string_view reason) {
  return stream_.send("replace", {{"text", text}, {"reason", reason}});
}

nlohmann::json error_event(int status, const std::string& code, const std::string& message,
                           const std::string& request_id) {
  return {{"error", {{"code", code}, {"message", message}, {"request_id", request_id}}},
          {"status", status}};
}

void send_error_event(EventStream& stream, int status, const std::string& code,
                      const std::string& message, const std::string& request_id) {
  observability::host_metrics().errors.with({code}).inc();
  stream.send("error", error_event(status, code, message, request_id));
}

void stream_turn(const ApiServices& services, const agents::Agent& agent,
                 const agents::ChatRequest& request, const std::string& request_id,
                 EventStream& stream, int client_fd, const std::string& account) {
  agents::TurnCancellation cancellation;
  ChatEvents events(stream);
  agents::TurnOptions options{request_id, &events, &cancellation, account};
  const DisconnectWatcher::Watch watch(services.disconnects, client_fd,
                                       [&cancellation] { cancellation.cancel(); });
  try {
    const agents::ChatResult result = services.pipeline.run(agent, request, options);
    if (result.interrupted) return;  // nobody is listening any more
    stream.send("done", chat_result_json(result, request_id));
  } catch (const agents::TurnError& e) {
    const ApiError error = to_api_error(e);
    send_error_event(stream, error.status(), error.code(), error.what(), request_id);
  } catch (const ApiError& e) {  // refused before the turn began (a spent token budget)
    send_error_event(stream, e.status(), e.code(), e.what(), request_id);
  } catch (const std::exception& e) {
    spdlog::error("request {}: streamed turn failed: {}", request_id, e.what());
    send_error_event(stream, 500, "internal_error",
                     "internal error (request id " + request_id + ")", request_id);
  }
}

}  // namespace agent_host::http::handlers
