// What the host offers every plugin instance through agent_host_api: secrets by name, and
// (ABI 1.1) the outbound HTTP client with cancellation tied to calls. Everything referenced here
// must outlive the instances built with it.
#pragma once

#include "plugins/secret_store.h"

namespace agent_host::http_client {
class HttpClient;
class CallRegistry;
}  // namespace agent_host::http_client

namespace agent_host::plugins {

struct HostServices {
  const SecretStore& secrets;
  // Null: agent_host_api.http is NULL for the instance (as on a host without the service).
  http_client::HttpClient* http = nullptr;
  // Where invoke() registers its call while it runs, so cancel() aborts its HTTP requests.
  http_client::CallRegistry* calls = nullptr;
};

}  // namespace agent_host::plugins
