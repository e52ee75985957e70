// Route registration, one function per handler file.
#pragma once

#include "http/api.h"

namespace agent_host::http::handlers {

void add_health_routes(Router& router, const ApiServices& services);  // /health, /ready
void add_metrics_routes(Router& router, const ApiServices& services);
void add_api_description_routes(Router& router);  // /openapi.json, /docs
void add_agent_routes(Router& router, const ApiServices& services);
void add_chat_routes(Router& router, const ApiServices& services);
void add_conversation_routes(Router& router, const ApiServices& services);
void add_plugin_routes(Router& router, const ApiServices& services);
void add_websocket_routes(Router& router, const ApiServices& services);
void add_openai_routes(Router& router, const ApiServices& services);
void add_admin_routes(Router& router, const ApiServices& services);

}  // namespace agent_host::http::handlers
