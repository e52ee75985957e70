// The host's metrics (README "Observability"), in one process-wide registry as Prometheus
// client libraries do: the request path, the turn pipeline and the reloader record into it, and
// GET /metrics renders it. Values sampled at scrape time (queue depth, threads, plugins loaded)
// are added by the /metrics handler, which knows the server and the registries.
#pragma once

#include <string_view>

#include "observability/metrics.h"

namespace agent_host::observability {

struct HostMetrics {
  MetricsRegistry registry;

  // HTTP, keyed on the matched route's pattern ("unmatched" for 404s, "-" for requests refused
  // before parsing), never on the raw path.
  Family<Counter>& http_requests;           // route, method, status
  Family<Histogram>& http_request_seconds;  // route
  Gauge& http_in_flight;
  Gauge& streams_in_flight;      // SSE and WebSocket answers being written
  Counter& connections_refused;  // the queue was full: 503 before parsing

  // Turns and providers.
  Family<Counter>& tokens;           // agent, provider, kind (prompt | completion)
  Family<Counter>& upstream_errors;  // provider, type
  Family<Counter>& provider_calls;   // provider, outcome (ok | error)

  // Plugins (hot reload passes).
  Counter& plugin_loads;
  Counter& plugin_refusals;

  // The original design's three, under their original names.
  Counter& conversations;            // conversations_total: chat turns processed
  Family<Histogram>& response_time;  // response_time_seconds: duration of a chat turn
  Family<Counter>& errors;           // errors_total{error_type}: error answers by code

  HostMetrics();
};

// The process's metrics (created on first use, never destroyed before exit).
HostMetrics& host_metrics();

// The upstream error type of a failed provider call, from its AGENT_ERR_* status and message:
// timeout, connect, http_429, http_5xx, auth, http_4xx, malformed, cancelled, invalid_request,
// unsupported or internal.
std::string_view upstream_error_type(int status, std::string_view message);

}  // namespace agent_host::observability
