#include "common/upstream_exchange.hpp"

#include <agent_sdk/json_codec.hpp>
#include <cctype>
#include <chrono>
#include <optional>
#include <stdexcept>

#include "common/retry_after.hpp"
#include "common/upstream_error.hpp"

namespace providers {

using agent_sdk::Json;

namespace {

bool names_event_stream(std::string_view media_type) {
  std::string lower;
  for (const char c : media_type) {
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return lower.find("text/event-stream") != std::string::npos;
}

// A 2xx answer is an event stream when it says so, or when it says nothing and we asked for one
// (a few small servers send no Content-Type).
bool is_event_stream(const agent_sdk::HttpHead& head, const agent_sdk::HttpRequest& request) {
  if (const auto type = head.header("content-type")) return names_event_stream(*type);
  const agent_sdk::HttpHead sent{0, request.headers};
  const auto accept = sent.header("accept");
  return accept && names_event_stream(*accept);
}

}  // namespace

ExchangeOutcome exchange(const agent_sdk::HttpClient& client, const agent_sdk::HttpRequest& request,
                         std::string_view provider, const ExchangeLimits& limits,
                         const std::function<void(const agent_sdk::SseEvent&)>& on_event,
                         const std::function<bool()>& cancelled) {
  agent_sdk::HttpHead head;
  ExchangeOutcome outcome;
  std::size_t received = 0;
  agent_sdk::SseParser parser(limits.max_event_bytes);
  const std::string who(provider);

  client.perform(
      request,
      [&](const agent_sdk::HttpHead& answer) {
        head = answer;
        outcome.streamed =
            head.status >= 200 && head.status <= 299 && is_event_stream(head, request);
        return !(cancelled && cancelled());
      },
      [&](std::string_view bytes) {
        if (cancelled && cancelled()) return false;
        received += bytes.size();
        if (received > limits.max_response_bytes) {
          throw UpstreamError(AGENT_ERR_UPSTREAM,
                              who + ": the answer is larger than " +
                                  std::to_string(limits.max_response_bytes) + " bytes",
                              false, head.status);
        }
        if (outcome.streamed) {
          try {
            parser.feed(bytes, [&](const agent_sdk::SseEvent& event) {
              on_event(event);
              return true;
            });
          } catch (const std::length_error&) {
            throw UpstreamError(AGENT_ERR_UPSTREAM,
                                who + ": a streamed event is larger than " +
                                    std::to_string(limits.max_event_bytes) + " bytes",
                                false, head.status);
          }
          return true;
        }
        const bool success = head.status >= 200 && head.status <= 299;
        const std::size_t keep = success ? limits.max_response_bytes : limits.max_error_body_bytes;
        if (outcome.body.size() < keep) {
          outcome.body.append(bytes.substr(0, keep - outcome.body.size()));
        }
        return true;
      });

  if (head.status < 200 || head.status > 299) {
    throw error_for_status(provider, head.status, outcome.body,
                           retry_after_of(head, std::chrono::system_clock::now()));
  }
  return outcome;
}

Json parse_json_body(std::string_view body, std::string_view provider) {
  Json parsed = agent_sdk::try_parse_json(body);
  if (parsed.is_discarded() || !parsed.is_object()) {
    throw malformed(provider, "the upstream's answer is not a JSON object");
  }
  return parsed;
}

}  // namespace providers
