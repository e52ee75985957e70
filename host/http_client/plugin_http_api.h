// The agent_http_api table (ABI 1.1) one plugin instance gets: a C boundary over HttpClient that
// reads the plugin's structs by their declared size, validates them, never lets an exception
// out, and logs one line per request under the plugin's name (never a header value).
#pragma once

#include <agent_sdk/agent_plugin.h>

#include <string>

#include "http_client/call_registry.h"
#include "http_client/http_client.h"

namespace agent_host::http_client {

// What the table's ctx points to; must outlive every use of the table.
struct PluginHttpContext {
  HttpClient* client = nullptr;
  CallRegistry* calls = nullptr;  // may be null: requests then serve no call
  std::string log_prefix;         // e.g. "provider/openai"
};

// Points `table` at `context`.
void fill_http_api(agent_http_api& table, PluginHttpContext& context) noexcept;

}  // namespace agent_host::http_client
