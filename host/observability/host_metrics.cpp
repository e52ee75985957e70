#include "observability/host_metrics.h"

#include <agent_sdk/agent_plugin.h>

#include <cstdlib>
#include <string>

namespace agent_host::observability {

HostMetrics::HostMetrics()
    : http_requests(registry.counter("agent_host_http_requests_total",
                                     "HTTP requests answered, by route pattern, method and status",
                                     {"route", "method", "status"})),
      http_request_seconds(registry.histogram(
          "agent_host_http_request_duration_seconds",
          "Time from a request's head to the end of its answer, by route pattern",
          latency_buckets(), {"route"})),
      http_in_flight(
          registry.gauge("agent_host_http_requests_in_flight", "HTTP requests being served now")
              .with({})),
      streams_in_flight(registry
                            .gauge("agent_host_streams_in_flight",
                                   "Streamed answers (SSE and WebSocket) being written now")
                            .with({})),
      connections_refused(registry
                              .counter("agent_host_connections_refused_total",
                                       "Connections answered 503 because every thread was "
                                       "busy and the queue was full")
                              .with({})),
      tokens(registry.counter("agent_host_tokens_total",
                              "Tokens used by provider calls, by agent, provider and kind",
                              {"agent", "provider", "kind"})),
      upstream_errors(registry.counter(
          "agent_host_upstream_errors_total",
          "Failed provider calls (after the provider's own retries), by provider and type",
          {"provider", "type"})),
      provider_calls(registry.counter("agent_host_provider_calls_total",
                                      "Provider calls, by provider and outcome",
                                      {"provider", "outcome"})),
      plugin_loads(registry
                       .counter("agent_host_plugin_loads_total",
                                "Plugin files loaded (each new generation counts)")
                       .with({})),
      plugin_refusals(registry
                          .counter("agent_host_plugin_refusals_total",
                                   "Plugin files refused by a load pass (the same bad file counts "
                                   "once until it changes)")
                          .with({})),
      conversations(registry
                        .counter("conversations_total",
                                 "Chat turns processed (the original design's "
                                 "conversation counter)")
                        .with({})),
      response_time(registry.histogram("response_time_seconds", "Duration of a chat turn",
                                       latency_buckets())),
      errors(registry.counter("errors_total", "Error answers, by error code", {"error_type"})) {}

HostMetrics& host_metrics() {
  static HostMetrics* metrics = new HostMetrics;  // never destroyed: threads record until exit
  return *metrics;
}

std::string_view upstream_error_type(int status, std::string_view message) {
  // The bundled providers name the upstream's status as "(HTTP 429)".
  int http = 0;
  if (const auto at = message.find("(HTTP "); at != std::string_view::npos) {
    http = std::atoi(std::string(message.substr(at + 6, 3)).c_str());
  }
  switch (status) {
    case AGENT_ERR_TIMEOUT:
      return "timeout";
    case AGENT_ERR_CANCELLED:
      return "cancelled";
    case AGENT_ERR_INVALID_INPUT:
      return "invalid_request";
    case AGENT_ERR_UNSUPPORTED:
      return "unsupported";
    case AGENT_ERR_UNAVAILABLE:
    case AGENT_ERR_UPSTREAM:
      if (http == 429) return "http_429";
      if (http == 401 || http == 403) return "auth";
      if (http >= 500 && http <= 599) return "http_5xx";
      if (http >= 400 && http <= 499) return "http_4xx";
      return status == AGENT_ERR_UNAVAILABLE ? "connect" : "malformed";
    default:
      return "internal";
  }
}

}  // namespace agent_host::observability
