#include "http_client/plugin_http_api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <vector>

namespace agent_host::http_client {
namespace {

// Copies the first `declared` bytes of the plugin's struct into a zeroed struct of the host's
// layout, so fields a plugin built against an older ABI does not know of read as 0 / NULL.
template <typename T>
T read_declared(const void* from, std::size_t declared) {
  T out{};
  std::memcpy(&out, from, std::min(declared, sizeof(T)));
  out.struct_size = static_cast<std::uint32_t>(std::min(declared, sizeof(T)));
  return out;
}

// Copies `message` into the plugin's buffer, cut at a UTF-8 character boundary.
void copy_error(const std::string& message, char* error, std::size_t capacity) noexcept {
  if (error == nullptr || capacity == 0) return;
  std::size_t n = std::min(message.size(), capacity - 1);
  if (n < message.size()) {
    while (n > 0 && (static_cast<unsigned char>(message[n]) & 0xC0) == 0x80) --n;
  }
  std::memcpy(error, message.data(), n);
  error[n] = '\0';
}

// Hands the response to the plugin's sink; a non-zero return aborts the request.
class SinkHandler : public ResponseHandler {
 public:
  explicit SinkHandler(const agent_http_response_sink& sink) : sink_(sink) {}

  bool on_head(int status, const Headers& headers) override {
    if (sink_.on_head == nullptr) return true;
    std::vector<agent_http_header> raw;
    raw.reserve(headers.size());
    for (const auto& header : headers) {
      raw.push_back(agent_http_header{header.name.c_str(), header.value.c_str()});
    }
    return sink_.on_head(sink_.ctx, status, raw.data(), raw.size()) == 0;
  }

  bool on_body(std::string_view bytes) override {
    return sink_.on_body == nullptr || sink_.on_body(sink_.ctx, bytes.data(), bytes.size()) == 0;
  }

 private:
  agent_http_response_sink sink_;
};

// Checks the plugin's structs and turns them into a Request; returns a reason when they are
// unusable.
std::string to_request(const agent_http_request& raw, Request& request) {
  if (raw.method == nullptr) return "the request has no method";
  if (raw.url == nullptr) return "the request has no URL";
  if (raw.header_count > 0 && raw.headers == nullptr) return "header_count > 0 but no headers";
  if (raw.body_len > 0 && raw.body == nullptr) return "body_len > 0 but no body";
  if (raw.header_count > 1000) return "too many request headers";
  request.method = raw.method;
  request.url = raw.url;
  request.headers.reserve(raw.header_count);
  for (std::size_t i = 0; i < raw.header_count; ++i) {
    if (raw.headers[i].name == nullptr || raw.headers[i].value == nullptr) {
      return "request header #" + std::to_string(i + 1) + " has a NULL name or value";
    }
    request.headers.push_back({raw.headers[i].name, raw.headers[i].value});
  }
  request.body = std::string_view(raw.body != nullptr ? raw.body : "", raw.body_len);
  request.call_id = raw.call_id;
  for (const auto* ms : {&raw.connect_timeout_ms, &raw.first_byte_timeout_ms, &raw.idle_timeout_ms,
                         &raw.total_timeout_ms}) {
    if (*ms < 0) return "a negative timeout";
  }
  request.connect_timeout = std::chrono::milliseconds(raw.connect_timeout_ms);
  request.first_byte_timeout = std::chrono::milliseconds(raw.first_byte_timeout_ms);
  request.idle_timeout = std::chrono::milliseconds(raw.idle_timeout_ms);
  request.total_timeout = std::chrono::milliseconds(raw.total_timeout_ms);
  return "";
}

void log_outcome(const PluginHttpContext& context, const Request& request, const Outcome& outcome,
                 std::chrono::steady_clock::duration took) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
  const std::string_view request_id =
      outcome.request_id.empty() ? std::string_view("-") : outcome.request_id;
  if (outcome.ok()) {
    spdlog::debug("[{}] http {} {} -> {}, {} bytes in {} ms{} (request {})", context.log_prefix,
                  request.method, outcome.url_for_log, outcome.status, outcome.body_bytes, ms,
                  outcome.reused_connection ? " (kept-alive connection)" : "", request_id);
  } else if (outcome.code == AGENT_ERR_CANCELLED) {
    spdlog::debug("[{}] http request cancelled after {} ms (request {}): {}", context.log_prefix,
                  ms, request_id, outcome.message);
  } else {
    // The message names method and URL (no credentials, no query) and never a header value.
    spdlog::warn("[{}] http request failed after {} ms (request {}): {}", context.log_prefix, ms,
                 request_id, outcome.message);
  }
}

int32_t perform(void* ctx, const agent_http_request* request_in,
                const agent_http_response_sink* sink_in, char* error,
                size_t error_capacity) noexcept {
  try {
    auto& context = *static_cast<PluginHttpContext*>(ctx);
    if (context.client == nullptr) {
      copy_error("this host offers no HTTP client", error, error_capacity);
      return AGENT_ERR_UNSUPPORTED;
    }
    const auto refuse = [&](const std::string& why) {
      copy_error("invalid HTTP request: " + why, error, error_capacity);
      spdlog::warn("[{}] http: invalid request: {}", context.log_prefix, why);
      return AGENT_ERR_INVALID_INPUT;
    };
    if (request_in == nullptr) return refuse("the request is NULL");
    // Everything up to body_len is in every 1.1 plugin's struct.
    constexpr std::size_t kMinRequest =
        offsetof(agent_http_request, body_len) + sizeof(agent_http_request::body_len);
    if (request_in->struct_size < kMinRequest) {
      return refuse("agent_http_request.struct_size " + std::to_string(request_in->struct_size) +
                    " is too small");
    }
    const auto raw = read_declared<agent_http_request>(request_in, request_in->struct_size);

    agent_http_response_sink sink{};
    if (sink_in != nullptr) {
      constexpr std::size_t kMinSink =
          offsetof(agent_http_response_sink, on_body) + sizeof(agent_http_response_sink::on_body);
      if (sink_in->struct_size < kMinSink) {
        return refuse("agent_http_response_sink.struct_size " +
                      std::to_string(sink_in->struct_size) + " is too small");
      }
      sink = read_declared<agent_http_response_sink>(sink_in, sink_in->struct_size);
    }

    Request request;
    if (const std::string why = to_request(raw, request); !why.empty()) return refuse(why);
    SinkHandler handler(sink);
    const auto started = std::chrono::steady_clock::now();
    const Outcome outcome = context.client->perform(request, handler, context.calls);
    log_outcome(context, request, outcome, std::chrono::steady_clock::now() - started);
    if (!outcome.ok()) copy_error(outcome.message, error, error_capacity);
    return outcome.code;
  } catch (...) {
    copy_error("internal error in the host's HTTP client", error, error_capacity);
    return AGENT_ERR_INTERNAL;
  }
}

}  // namespace

void fill_http_api(agent_http_api& table, PluginHttpContext& context) noexcept {
  table = agent_http_api{};
  table.struct_size = sizeof(agent_http_api);
  table.ctx = &context;
  table.perform = &perform;
}

}  // namespace agent_host::http_client
