// How the HTTP server is sized and how long it waits, with defaults chosen for this host's job:
// LLM calls take seconds, so thousands of requests are in flight at once and each holds a
// thread (Poco's server is thread-per-connection). The defaults follow DESIGN.md's measurement:
// 9,000 concurrent 2-second requests held with a 10,000-thread pool and 256 KiB stacks at
// 163 MB RSS. A small stack is safe here because no handler recurses or keeps large buffers on
// the stack. Poco's own defaults (16 threads, 64 queued) would refuse nearly all of them.
#pragma once

#include <cstddef>
#include <string>

#include "limits/json_depth.h"

namespace agent_host::http {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  unsigned port = 8080;
  // Worker threads: one per connection being served (idle keep-alive connections included).
  int max_threads = 4096;
  // Accepted connections waiting for a thread; beyond this the host answers 503 at once.
  int max_queued = 1024;
  std::size_t thread_stack_bytes = 256 * 1024;
  // Socket read/write timeout: how long a stalled client may hold a thread mid-request.
  int io_timeout_ms = 10000;
  // How long an idle keep-alive connection keeps its thread.
  int keep_alive_timeout_ms = 5000;
  int max_keep_alive_requests = 1000;
  std::size_t max_body_bytes = 1024 * 1024;
  // Nesting of arrays and objects allowed in a JSON body or WebSocket message (400
  // json_too_deep beyond it).
  int max_json_depth = limits::kMaxJsonDepth;
  // The request head (request line and header fields) at most: 431 headers_too_large beyond.
  std::size_t max_head_bytes = 64 * 1024;
  std::size_t max_header_fields = 100;
  // Seconds clients are told to wait (Retry-After) when the host is overloaded.
  int overload_retry_after_seconds = 1;
  // Concurrent connections one client IP may hold; more are answered 429 and closed. 0: no cap
  // (the default: behind a load balancer every client has the balancer's address).
  int max_connections_per_client = 0;
};

}  // namespace agent_host::http
