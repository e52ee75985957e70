#include "http/api.h"

#include "http/handlers/handlers.h"

namespace agent_host::http {

void register_api_routes(Router& router, const ApiServices& services) {
  handlers::add_health_routes(router, services);
  handlers::add_metrics_routes(router, services);
  handlers::add_api_description_routes(router);
  handlers::add_agent_routes(router, services);
  handlers::add_chat_routes(router, services);
  handlers::add_conversation_routes(router, services);
  handlers::add_plugin_routes(router, services);
  handlers::add_websocket_routes(router, services);
  handlers::add_openai_routes(router, services);
  if (services.admin_enabled && services.reloader != nullptr) {
    handlers::add_admin_routes(router, services);
  }
}

}  // namespace agent_host::http
