#include "http/connection.h"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <agent_sdk/json_codec.hpp>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>

#include "http/api_error.h"
#include "http/error_body.h"
#include "http/request_head_guard.h"
#include "ids/random_uuid.h"
#include "observability/host_metrics.h"
#include "observability/logging.h"

namespace agent_host::http {
namespace {

bool is_valid_request_id(const std::string& id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

// A client's X-Request-Id is kept (so its logs and ours correlate) when it is safe to echo.
std::string pick_request_id(const Poco::Net::HTTPServerRequest& request) {
  // By value: get() with a default returns a reference to that (temporary) default.
  const std::string given = request.get("X-Request-Id", "");
  if (is_valid_request_id(given)) return given;
  return ids::random_uuid();
}

// Refuses framing that two parsers could read differently (request smuggling).
void check_framing(const Poco::Net::HTTPServerRequest& request) {
  const bool has_length = request.has("Content-Length");
  const bool has_encoding = request.has("Transfer-Encoding");
  if (has_length && has_encoding) {
    throw ApiError(400, "ambiguous_framing",
                   "the request has both Content-Length and Transfer-Encoding");
  }
  int lengths = 0;
  for (const auto& [name, value] : request) {
    if (Poco::icompare(name, "Content-Length") == 0) ++lengths;
  }
  if (lengths > 1)
    throw ApiError(400, "ambiguous_framing", "the request has several Content-Length headers");
  if (has_encoding && Poco::icompare(request.get("Transfer-Encoding"), "chunked") != 0) {
    throw ApiError(400, "unsupported_transfer_encoding",
                   "only Transfer-Encoding: chunked is supported");
  }
}

void send_error(RequestContext& context, int status, const std::string& code,
                const std::string& message, std::optional<int> retry_after, bool close) {
  auto& response = context.response();
  observability::host_metrics().errors.with({code}).inc();
  if (retry_after) response.set("Retry-After", std::to_string(*retry_after));
  if (close) response.setKeepAlive(false);
  context.send_json(status, agent_sdk::parse_json(error_body(code, message, context.request_id())));
}

// Keyed on the route pattern, never the raw path: ids in paths would make a series per request.
void record_request(RequestContext& context, int status, double seconds) {
  auto& metrics = observability::host_metrics();
  const std::string& pattern = context.route_pattern();
  const std::string_view route = pattern.empty() ? std::string_view("unmatched") : pattern;
  const std::string& method = context.request().getMethod();
  // Methods outside the standard set would be unbounded label values.
  static constexpr std::string_view known[] = {"GET",    "HEAD",  "POST",   "PUT",
                                               "DELETE", "PATCH", "OPTIONS"};
  const bool standard = std::find(std::begin(known), std::end(known), method) != std::end(known);
  metrics.http_requests
      .with({route, standard ? std::string_view(method) : "other", std::to_string(status)})
      .inc();
  metrics.http_request_seconds.with({route}).observe(seconds);
}

// Closing a socket with unread input makes the kernel send a reset, which can destroy the error
// response before the client reads it (a 413 for a large body, say). So stop sending, then read
// and discard what the client still sends, within a small budget, before closing.
void linger_close(Poco::Net::StreamSocket& socket) {
  try {
    socket.shutdownSend();
    socket.setReceiveTimeout(Poco::Timespan(0, 200 * 1000));
    char sink[16384];
    std::size_t budget = 4 * 1024 * 1024;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (budget > 0 && std::chrono::steady_clock::now() < deadline) {
      const int n = socket.receiveBytes(sink, sizeof(sink));
      if (n <= 0) break;
      budget -= std::min<std::size_t>(budget, static_cast<std::size_t>(n));
    }
  } catch (const Poco::Exception&) {
  }
}

// Poco's session, plus a look at whether it already holds bytes of the next request.
class Session : public Poco::Net::HTTPServerSession {
 public:
  using HTTPServerSession::HTTPServerSession;
  bool has_buffered_input() const { return buffered() > 0; }
};

// Whether a request starts within `timeout`. Replaces Poco's hasMoreRequests(), whose poll
// creates an epoll instance per call (four syscalls, about 5 us here, per request) and needs a
// free descriptor, so at the open-file limit it threw and dropped kept-alive connections.
bool request_arrives(const Session& session, int fd, std::chrono::milliseconds timeout) {
  if (session.has_buffered_input()) return true;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd poller{fd, POLLIN, 0};
    const int rc = ::poll(&poller, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
    if (rc > 0) return true;  // data, or a close the head check will see
    if (rc == 0 || errno != EINTR) return false;
  }
}

// Gives the connection's place in the per-client cap back. Declared after the session, so it
// runs before the session's destructor closes the socket: once closed, its descriptor may be
// reused by a new connection, whose place must not be the one released.
class ClientSlot {
 public:
  ClientSlot(limits::ClientConnections* connections, int fd) : connections_(connections), fd_(fd) {}
  ~ClientSlot() {
    if (connections_ != nullptr) connections_->close(fd_);
  }
  ClientSlot(const ClientSlot&) = delete;
  ClientSlot& operator=(const ClientSlot&) = delete;

 private:
  limits::ClientConnections* connections_;
  int fd_;
};

}  // namespace

Connection::Connection(const Poco::Net::StreamSocket& socket,
                       Poco::Net::HTTPServerParams::Ptr params, const Router& router,
                       const ServerOptions& options, limits::ClientConnections* connections)
    : TCPServerConnection(socket),
      params_(std::move(params)),
      connections_(connections),
      router_(router),
      options_(options) {}

void Connection::run() {
  Session session(socket(), params_);
  const ClientSlot slot(connections_, socket().impl()->sockfd());
  HeadLimits head_limits;
  head_limits.deadline = std::chrono::milliseconds(options_.io_timeout_ms);
  head_limits.max_bytes = options_.max_head_bytes;
  head_limits.max_fields = options_.max_header_fields;
  const auto reject = [&](int status, const char* code, const std::string& message) {
    const std::string id = ids::random_uuid();
    const std::string bytes = raw_error_response(status, code, message, id);
    try {
      socket().sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    } catch (const Poco::Exception&) {
    }
    linger_close(socket());
    observability::access_logger()->info("{} - - {} 0.000ms {}", id, status, message);
    auto& metrics = observability::host_metrics();
    metrics.errors.with({code}).inc();
    metrics.http_requests.with({"-", "-", std::to_string(status)}).inc();
  };

  const int fd = socket().impl()->sockfd();
  const int max_requests = options_.max_keep_alive_requests;  // per connection; 0: no limit
  for (int served = 0;; ++served) {
    const auto wait = std::chrono::milliseconds(served == 0 ? options_.io_timeout_ms
                                                            : options_.keep_alive_timeout_ms);
    if (!request_arrives(session, fd, wait)) return;
    const bool last_allowed = max_requests > 0 && served + 1 >= max_requests;
    const auto started = std::chrono::steady_clock::now();
    // Pipelined requests already in Poco's buffer cannot be peeked at; Poco parses those alone.
    if (!session.has_buffered_input()) {
      const HeadCheck head = await_request_head(socket(), head_limits);
      switch (head.verdict) {
        case HeadCheck::Verdict::ok:
          break;
        case HeadCheck::Verdict::closed:
          return;
        case HeadCheck::Verdict::timeout:
          reject(408, "request_timeout", head.reason);
          return;
        case HeadCheck::Verdict::malformed:
          reject(400, "malformed_request", "malformed HTTP request: " + head.reason);
          return;
        case HeadCheck::Verdict::too_large:
          reject(431, "headers_too_large", head.reason);
          return;
      }
    }
    Poco::Net::HTTPServerResponseImpl response(session);
    std::unique_ptr<Poco::Net::HTTPServerRequestImpl> request;
    try {
      request =
          std::make_unique<Poco::Net::HTTPServerRequestImpl>(response, session, params_.get());
    } catch (const Poco::Net::NoMessageException&) {
      return;  // the client closed an idle connection
    } catch (const Poco::TimeoutException&) {
      reject(408, "request_timeout", "the request was not received in time");
      return;
    } catch (const Poco::Net::MessageException& e) {
      reject(400, "malformed_request", "malformed HTTP request: " + e.message());
      return;
    } catch (const Poco::Exception&) {
      return;  // connection reset or similar: nobody to answer
    }

    const std::string request_id = pick_request_id(*request);
    const observability::GaugeGuard in_flight(observability::host_metrics().http_in_flight);
    const observability::RequestIdScope log_scope(request_id);
    response.setDate(Poco::Timestamp());
    response.setVersion(request->getVersion());
    response.setKeepAlive(params_->getKeepAlive() && request->getKeepAlive() && !last_allowed);
    response.set("X-Request-Id", request_id);
    RequestContext context(*request, response, request_id, options_.max_body_bytes,
                           options_.max_json_depth);

    try {
      check_framing(*request);
      if (request->getExpectContinue() &&
          response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK) {
        response.sendContinue();
      }
      router_.dispatch(context);
    } catch (const ApiError& e) {
      if (!response.sent()) {
        // After an error the body may be partly unread or its framing broken: do not try to
        // find the next request in it.
        const bool had_body = request->getChunkedTransferEncoding() ||
                              request->has("Transfer-Encoding") ||
                              (request->hasContentLength() && request->getContentLength64() > 0);
        send_error(context, e.status(), e.code(), e.what(), e.retry_after(), had_body);
      }
    } catch (const Poco::TimeoutException&) {
      if (!response.sent())
        send_error(context, 408, "request_timeout", "the body was not received in time", {}, true);
    } catch (const Poco::Net::MessageException& e) {
      if (!response.sent()) send_error(context, 400, "malformed_request", e.message(), {}, true);
    } catch (const Poco::IOException&) {
      response.setKeepAlive(false);  // the client went away mid-request
    } catch (const std::exception& e) {
      spdlog::error("request {} {} {} failed: {}", request_id, request->getMethod(),
                    request->getURI(), e.what());
      if (!response.sent()) {
        send_error(context, 500, "internal_error", "internal error (request id " + request_id + ")",
                   {}, false);
      }
    }

    const auto elapsed =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
    const int status = static_cast<int>(response.getStatus());
    observability::access_logger()->info("{} {} {} {} {:.3f}ms", request_id, request->getMethod(),
                                         request->getURI(), status, elapsed.count());
    record_request(context, status, elapsed.count() / 1000.0);
    if (context.taken_over()) break;  // a WebSocket ran on this connection and is closed
    session.setKeepAlive(params_->getKeepAlive() && response.getKeepAlive() && !last_allowed);
    if (!session.getKeepAlive()) {
      if (context.has_unread_body()) linger_close(socket());
      break;
    }
  }
}

}  // namespace agent_host::http
