// POST /agents/{id}/chat: one turn of the agent's pipeline, answered as JSON, or as Server-Sent
// Events when the body says "stream": true or the client accepts only text/event-stream.
#include <Poco/String.h>

#include "http/api_error.h"
#include "http/handlers/agent_lease.h"
#include "http/handlers/chat_events.h"
#include "http/handlers/chat_request.h"
#include "http/handlers/chat_response.h"
#include "http/handlers/handlers.h"
#include "http/sse_writer.h"
#include "limits/client_key.h"

namespace agent_host::http::handlers {
namespace {

bool wants_stream(RequestContext& context, const nlohmann::json& body) {
  if (const auto it = body.find("stream"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) throw ApiError(422, "invalid_request", "\"stream\" must be a boolean");
    return it->get<bool>();
  }
  const std::string accept = context.request().get("Accept", "");
  return Poco::toLower(accept).find("text/event-stream") != std::string::npos;
}

}  // namespace

void add_chat_routes(Router& router, const ApiServices& services) {
  router.add("POST", "/agents/{id}/chat", [services](RequestContext& context) {
    const std::string& id = context.path_param("id");
    // The lease: the agent (and its plugins) stay alive until this request is done, even if
    // the agent is replaced meanwhile.
    const auto agent = lease_agent(services, id);
    const nlohmann::json body = context.read_json_body();
    const agents::ChatRequest request = parse_chat_request(body, context.principal());

    if (wants_stream(context, body)) {
      SseWriter stream(context);
      stream_turn(services, *agent, request, context.request_id(), stream, context.client_fd(),
                  limits::budget_account(context));
      return;
    }
    // A client that gives up waiting cancels the provider call too: its tokens are not wasted.
    agents::TurnCancellation cancellation;
    const DisconnectWatcher::Watch watch(services.disconnects, context.client_fd(),
                                         [&cancellation] { cancellation.cancel(); });
    agents::ChatResult result;
    try {
      result =
          services.pipeline.run(*agent, request,
                                agents::TurnOptions{context.request_id(), nullptr, &cancellation,
                                                    limits::budget_account(context)});
    } catch (const agents::TurnError& e) {
      throw to_api_error(e);
    }
    if (result.interrupted) {
      context.response().setKeepAlive(false);  // nobody is left to answer
      return;
    }
    context.send_json(200, chat_result_json(result, context.request_id()));
  });
}

}  // namespace agent_host::http::handlers
