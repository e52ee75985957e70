#include "mcp/http_transport.hpp"

#include <agent_sdk/json_codec.hpp>
#include <agent_sdk/sse.hpp>
#include <algorithm>
#include <cctype>
#include <optional>

namespace mcp {
namespace {

using agent_sdk::Error;
using agent_sdk::Json;
using std::chrono::milliseconds;

constexpr std::size_t kMaxJsonBody = 16u << 20;
// How long one GET listening stream is held before it is reopened (see the header: this bounds
// how long stop() may wait for a server that neither ends the stream nor accepts DELETE).
constexpr milliseconds kListenWindow{10000};
constexpr milliseconds kListenFirstBackoff{250};
constexpr milliseconds kListenMaxBackoff{30000};
// A stream that lived shorter than this and ended counts as a failure (backoff, no hot loop).
constexpr milliseconds kListenHealthy{1000};
constexpr std::size_t kMaxErrorBody = 4096;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

HttpTransport::HttpTransport(std::string url, agent_sdk::HttpHeaders headers, agent_sdk::Host host,
                             std::string name, InboundHandler inbound)
    : url_(std::move(url)),
      headers_(std::move(headers)),
      host_(host),
      http_(host),
      name_(std::move(name)),
      inbound_(std::move(inbound)) {
  if (!http_.available()) {
    throw Error(AGENT_ERR_UNSUPPORTED, "the http transport needs the host's HTTP client (ABI 1.1)");
  }
}

HttpTransport::~HttpTransport() { stop(); }

std::uint64_t HttpTransport::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

void HttpTransport::set_protocol_version(const std::string& version) {
  std::lock_guard lock(mutex_);
  protocol_version_ = version;
}

void HttpTransport::reset_session() {
  std::lock_guard lock(mutex_);
  session_id_.clear();
  protocol_version_.clear();
  last_event_id_.clear();
  listen_wanted_ = false;  // until the next session is initialized
  ++generation_;
}

void HttpTransport::on_initialized() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    listen_wanted_ = true;
    if (!listener_.joinable()) listener_ = std::thread([this] { listen_loop(); });
  }
  listen_changed_.notify_all();
}

void HttpTransport::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
  }
  listen_changed_.notify_all();
  end_session();
  if (listener_.joinable() && listener_.get_id() != std::this_thread::get_id()) listener_.join();
}

void HttpTransport::end_session() {
  agent_sdk::HttpRequest request;
  {
    std::lock_guard lock(mutex_);
    if (session_id_.empty()) return;
    request.headers = headers_;
    request.headers.emplace_back("Mcp-Session-Id", session_id_);
    if (!protocol_version_.empty()) {
      request.headers.emplace_back("MCP-Protocol-Version", protocol_version_);
    }
  }
  request.method = "DELETE";
  request.url = url_;
  request.total_timeout = request.first_byte_timeout = request.connect_timeout = milliseconds(1000);
  try {
    // 200 ends the session (and its streams); 405 says the server does not let clients end it.
    const auto response = http_.fetch(request, kMaxErrorBody);
    host_.log(agent_sdk::LogLevel::debug, "mcp '" + name_ + "': session ended (DELETE answered " +
                                              std::to_string(response.head.status) + ")");
  } catch (const std::exception& e) {
    host_.log(agent_sdk::LogLevel::debug,
              "mcp '" + name_ + "': could not end the session: " + e.what());
  }
}

void HttpTransport::handle_inbound(const Json& message, MessageKind kind) {
  std::optional<Json> answer = inbound_ ? inbound_(message) : std::nullopt;
  if (kind != MessageKind::request) return;
  if (!answer) answer = make_error(message["id"], -32601, "method not found");
  notify(*answer, Deadline::in(milliseconds(2000), nullptr));  // a response is POSTed too
}

void HttpTransport::listen_loop() {
  milliseconds backoff = kListenFirstBackoff;
  std::unique_lock lock(mutex_);
  while (true) {
    listen_changed_.wait(
        lock, [&] { return stopped_ || (listen_wanted_ && refused_session_ != session_id_); });
    if (stopped_) return;
    const std::string session = session_id_;
    const std::string version = protocol_version_;
    lock.unlock();
    const auto opened = Clock::now();
    const ListenEnd end = listen_once(session, version);
    lock.lock();
    if (stopped_) return;
    if (end == ListenEnd::refused) {
      refused_session_ = session;
      continue;
    }
    if (end == ListenEnd::ended && Clock::now() - opened >= kListenHealthy) {
      backoff = kListenFirstBackoff;
      continue;  // our window passed or the server rotated the stream: reopen at once
    }
    listen_changed_.wait_for(lock, backoff, [&] { return stopped_; });
    backoff = std::min(backoff * 2, kListenMaxBackoff);
  }
}

HttpTransport::ListenEnd HttpTransport::listen_once(const std::string& session,
                                                    const std::string& version) {
  agent_sdk::HttpRequest request;
  request.method = "GET";
  request.url = url_;
  request.headers = headers_;
  request.headers.emplace_back("Accept", "text/event-stream");
  if (!session.empty()) request.headers.emplace_back("Mcp-Session-Id", session);
  if (!version.empty()) request.headers.emplace_back("MCP-Protocol-Version", version);
  {
    std::lock_guard lock(mutex_);
    if (!last_event_id_.empty()) request.headers.emplace_back("Last-Event-ID", last_event_id_);
  }
  request.first_byte_timeout = request.idle_timeout = request.total_timeout = kListenWindow;

  int status = 0;
  bool is_stream = false;
  std::string body;
  agent_sdk::SseParser sse;
  const auto stopping = [this] {
    std::lock_guard lock(mutex_);
    return stopped_;
  };
  const auto on_event = [&](const agent_sdk::SseEvent& event) {
    if (!event.id.empty()) {
      std::lock_guard lock(mutex_);
      last_event_id_ = event.id;
    }
    if (event.data.empty()) return !stopping();
    const Json message = agent_sdk::try_parse_json(event.data);
    const MessageKind kind = message.is_discarded() ? MessageKind::invalid : classify(message);
    if (kind == MessageKind::invalid) {
      host_.log(
          agent_sdk::LogLevel::warn,
          "mcp '" + name_ + "': malformed message on the listening stream: " + excerpt(event.data));
    } else if (kind != MessageKind::response) {
      handle_inbound(message, kind);
    }
    return !stopping();
  };
  try {
    http_.perform(
        request,
        [&](const agent_sdk::HttpHead& head) {
          status = head.status;
          is_stream = status == 200 &&
                      lower(head.header("content-type").value_or("")).find("text/event-stream") !=
                          std::string::npos;
          if (is_stream) host_.log(agent_sdk::LogLevel::debug, "mcp '" + name_ + "': listening");
          return true;
        },
        [&](std::string_view bytes) {
          if (is_stream) return sse.feed(bytes, on_event);
          if (body.size() < kMaxErrorBody)
            body.append(bytes.substr(0, kMaxErrorBody - body.size()));
          return true;
        });
  } catch (const Error& e) {
    if (is_stream && (e.code() == AGENT_ERR_TIMEOUT || e.code() == AGENT_ERR_CANCELLED)) {
      return ListenEnd::ended;  // our window passed, or we are stopping
    }
    host_.log(agent_sdk::LogLevel::debug,
              "mcp '" + name_ + "': listening stream failed: " + e.what());
    return ListenEnd::failed;
  } catch (const std::length_error&) {
    host_.log(agent_sdk::LogLevel::warn,
              "mcp '" + name_ + "': an event on the listening stream was larger than allowed");
    return ListenEnd::failed;
  }
  if (is_stream) return ListenEnd::ended;
  if (status == 405 || status == 404) {
    // 405: this server offers no listening stream. 404: the session is gone; the next request
    // finds out too and initializes again, which listens anew.
    host_.log(agent_sdk::LogLevel::info,
              "mcp '" + name_ + "': no listening stream (GET answered " + std::to_string(status) +
                  "); server notifications arrive only on request streams");
    return ListenEnd::refused;
  }
  host_.log(agent_sdk::LogLevel::warn,
            "mcp '" + name_ + "': the listening stream was refused with HTTP " +
                std::to_string(status) + (body.empty() ? "" : ": " + excerpt(body)));
  return ListenEnd::failed;
}

agent_sdk::HttpRequest HttpTransport::build(const Json& message, const Deadline& deadline) const {
  agent_sdk::HttpRequest request;
  request.method = "POST";
  request.url = url_;
  request.headers = headers_;
  request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back("Accept", "application/json, text/event-stream");
  {
    std::lock_guard lock(mutex_);
    if (!session_id_.empty()) request.headers.emplace_back("Mcp-Session-Id", session_id_);
    // The stateless revision puts its version in _meta and in this header on every request.
    std::string version = protocol_version_;
    const Json* params = message.contains("params") ? &message["params"] : nullptr;
    if (params != nullptr && params->is_object() && params->contains("_meta") &&
        (*params)["_meta"].contains("io.modelcontextprotocol/protocolVersion")) {
      version = (*params)["_meta"]["io.modelcontextprotocol/protocolVersion"].get<std::string>();
    }
    if (!version.empty()) request.headers.emplace_back("MCP-Protocol-Version", version);
  }
  request.body = agent_sdk::dump_json(message);
  request.call_id = deadline.call != nullptr ? deadline.call->id() : 0;
  const auto budget = std::max(milliseconds(1), deadline.remaining());
  request.total_timeout = budget;
  request.first_byte_timeout = budget;
  request.idle_timeout = budget;
  return request;
}

Json HttpTransport::request(const Json& message, const Deadline& deadline) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) throw Error(AGENT_ERR_UNAVAILABLE, "the MCP client is stopping");
  }
  const bool had_session = [&] {
    std::lock_guard lock(mutex_);
    return !session_id_.empty();
  }();
  const std::int64_t id = message.at("id").get<std::int64_t>();
  agent_sdk::HttpHead head;
  std::string json_body;
  bool is_stream = false;
  agent_sdk::SseParser sse;
  std::optional<Json> response;
  std::string protocol_problem;

  const auto on_event = [&](const agent_sdk::SseEvent& event) {
    if (event.data.empty()) return true;  // a priming event (id only) for resumability
    Json received = agent_sdk::try_parse_json(event.data);
    const MessageKind kind = received.is_discarded() ? MessageKind::invalid : classify(received);
    if (kind == MessageKind::invalid) {
      protocol_problem = "a malformed message in its event stream: " + excerpt(event.data);
      return false;
    }
    if (kind == MessageKind::response) {
      if (received["id"].is_number_integer() && received["id"].get<std::int64_t>() == id) {
        response = std::move(received);
        return false;  // ours: the rest of the stream is not needed
      }
      return true;
    }
    handle_inbound(received, kind);
    return true;
  };

  try {
    http_.perform(
        build(message, deadline),
        [&](const agent_sdk::HttpHead& h) {
          head = h;
          const std::string type = lower(h.header("content-type").value_or(""));
          is_stream = type.find("text/event-stream") != std::string::npos;
          if (const auto session = h.header("mcp-session-id")) {
            std::lock_guard lock(mutex_);
            session_id_ = *session;
          }
          return true;
        },
        [&](std::string_view bytes) {
          if (head.status < 200 || head.status >= 300 || !is_stream) {
            if (json_body.size() + bytes.size() > kMaxJsonBody) {
              protocol_problem = "an answer larger than " + std::to_string(kMaxJsonBody) + " bytes";
              return false;
            }
            json_body.append(bytes);
            return true;
          }
          return sse.feed(bytes, on_event);
        });
  } catch (const Error& e) {
    // Our own handler stopped the stream: either the response arrived or the server misbehaved.
    if (e.code() == AGENT_ERR_CANCELLED && (response || !protocol_problem.empty()) &&
        !deadline.cancelled()) {
      // fall through
    } else {
      if (e.code() == AGENT_ERR_TIMEOUT || e.code() == AGENT_ERR_CANCELLED) {
        notify(cancelled_notification(
                   id, e.code() == AGENT_ERR_TIMEOUT ? "timed out" : "cancelled by the client"),
               Deadline::in(milliseconds(1000), nullptr));
      }
      throw Error(e.code(), "MCP server '" + name_ + "': " + e.what(), e.retryable());
    }
  } catch (const std::length_error&) {
    throw Error(AGENT_ERR_UPSTREAM, "MCP server '" + name_ + "' sent an event larger than allowed");
  }
  if (response) return std::move(*response);
  if (!protocol_problem.empty()) {
    throw Error(AGENT_ERR_UPSTREAM, "MCP server '" + name_ + "' sent " + protocol_problem);
  }
  if (head.status == 404 && had_session) throw SessionExpired();
  Json parsed = agent_sdk::try_parse_json(json_body);
  if (head.status >= 200 && head.status < 300 && !is_stream) {
    if (!parsed.is_discarded() && classify(parsed) == MessageKind::response) return parsed;
    throw Error(AGENT_ERR_UPSTREAM,
                "MCP server '" + name_ +
                    "' answered something that is not a JSON-RPC response: " + excerpt(json_body));
  }
  if (is_stream && head.status >= 200 && head.status < 300) {
    throw Error(AGENT_ERR_UNAVAILABLE,
                "MCP server '" + name_ + "' ended its event stream without answering", true);
  }
  // An HTTP error that carries a JSON-RPC error (as the SDK servers send for a missing session)
  // is that error; the caller decides what it means.
  if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("error")) {
    parsed["id"] = id;
    parsed["http_status"] = head.status;
    return parsed;
  }
  const int32_t code =
      head.status >= 500 || head.status == 429 ? AGENT_ERR_UNAVAILABLE : AGENT_ERR_UPSTREAM;
  throw Error(code,
              "MCP server '" + name_ + "' answered HTTP " + std::to_string(head.status) +
                  (json_body.empty() ? "" : ": " + excerpt(json_body)),
              code == AGENT_ERR_UNAVAILABLE);
}

void HttpTransport::notify(const Json& notification, const Deadline& deadline) {
  try {
    http_.fetch(build(notification, deadline), 64 * 1024);  // 202 Accepted, no body expected
  } catch (const std::exception& e) {
    host_.log(agent_sdk::LogLevel::debug,
              "mcp '" + name_ + "': notification not delivered: " + e.what());
  }
}

}  // namespace mcp
