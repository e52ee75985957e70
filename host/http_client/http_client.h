// The host's outbound HTTP/1.1 client, shared by every plugin through agent_http_api: HTTPS with
// the system CAs (plus an optional extra CA file), proxies from the environment, default and
// per-request timeouts, a bounded keep-alive pool, response bodies streamed as they arrive, and
// cancellation through the CallRegistry. One per host; thread-safe.
//
// Failures come back as AGENT_ERR_* codes with a message that names the method and the URL
// (without credentials or query) and never contains header values or the request body.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "http_client/call_registry.h"
#include "http_client/client_options.h"
#include "http_client/headers.h"

namespace agent_host::http_client {

struct Request {
  std::string method;  // GET, POST, PUT, PATCH, DELETE or HEAD
  std::string url;     // absolute http:// or https://
  // Framing and hop-by-hop fields (Host, Content-Length, Transfer-Encoding, Connection, ...) are
  // the client's own and are dropped from here.
  Headers headers;
  std::string_view body;
  // The call this request serves (0: none): cancelled with it, capped by its deadline, and sent
  // with its request id as X-Request-Id unless the headers carry one.
  std::uint64_t call_id = 0;
  // Zero takes the client's default.
  std::chrono::milliseconds connect_timeout{0};
  std::chrono::milliseconds first_byte_timeout{0};
  std::chrono::milliseconds idle_timeout{0};
  std::chrono::milliseconds total_timeout{0};
};

// Receives the response as it arrives, on the thread that called perform(). Returning false
// aborts the request (AGENT_ERR_CANCELLED).
class ResponseHandler {
 public:
  virtual ~ResponseHandler() = default;
  virtual bool on_head(int status, const Headers& headers) = 0;
  virtual bool on_body(std::string_view bytes) = 0;
};

struct Outcome {
  std::int32_t code = 0;  // AGENT_OK, or AGENT_ERR_INVALID_INPUT / UNAVAILABLE / TIMEOUT /
                          // CANCELLED / UPSTREAM (a malformed response) / INTERNAL
  std::string message;    // why it failed, for humans
  int status = 0;         // the response status, once a head arrived
  std::uint64_t body_bytes = 0;
  std::string url_for_log;  // the URL without credentials or query ("" when it was invalid)
  std::string request_id;   // the call's request id ("" when the request serves no call)
  bool reused_connection = false;

  bool ok() const noexcept { return code == 0; }
};

class HttpClient {
 public:
  // Throws std::runtime_error when the TLS settings cannot be used (e.g. an unreadable ca_file).
  explicit HttpClient(ClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs one exchange; returns when the response ended or the exchange failed. `calls`
  // resolves request.call_id (may be null when requests serve no call).
  Outcome perform(const Request& request, ResponseHandler& handler,
                  CallRegistry* calls = nullptr) noexcept;

  const ClientOptions& options() const noexcept;
  // Idle keep-alive connections held right now.
  std::size_t idle_connections() const;

 private:
  struct State;
  class Exchange;
  std::unique_ptr<State> state_;
};

}  // namespace agent_host::http_client
