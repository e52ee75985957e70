#include "http/http_server.h"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "http/connection.h"
#include "http/error_body.h"
#include "ids/random_uuid.h"
#include "observability/host_metrics.h"
#include "observability/logging.h"
#include "observability/poco_error_log.h"

namespace agent_host::http {
namespace {

// Runs on the acceptor thread before a connection is queued. When the queue is full Poco would
// drop the connection without a word; we answer 503 so clients and load balancers can back off.
class AdmissionFilter : public Poco::Net::TCPServerConnectionFilter {
 public:
  AdmissionFilter(const Poco::Net::TCPServer& server, const ServerOptions& options,
                  limits::ClientConnections& connections)
      : server_(server), options_(options), connections_(connections) {}

  bool accept(const Poco::Net::StreamSocket& socket) override {
    if (server_.queuedConnections() >= options_.max_queued) {
      return refuse(socket, 503, "overloaded", "the host is at capacity; retry later");
    }
    // Only this thread queues connections, so an accepted one always reaches a Connection,
    // which gives its place back.
    if (options_.max_connections_per_client > 0) {
      std::string address;
      try {
        address = socket.peerAddress().host().toString();
      } catch (const Poco::Exception&) {
        return false;  // already gone
      }
      if (!connections_.try_open(socket.impl()->sockfd(), address)) {
        return refuse(socket, 429, "too_many_connections",
                      "this client already has " +
                          std::to_string(options_.max_connections_per_client) +
                          " open connections (limits.max_connections_per_client)");
      }
    }
    return true;
  }

 private:
  bool refuse(const Poco::Net::StreamSocket& socket, int status, const char* code,
              const std::string& message) {
    const std::string id = ids::random_uuid();
    const std::string response =
        raw_error_response(status, code, message, id, options_.overload_retry_after_seconds);
    try {
      Poco::Net::StreamSocket copy(socket);
      // Never let a slow client block the acceptor: the response fits in an empty send buffer.
      copy.setBlocking(false);
      copy.sendBytes(response.data(), static_cast<int>(response.size()));
      copy.shutdownSend();
    } catch (const Poco::Exception&) {
    }
    observability::access_logger()->info("{} - - {} 0.000ms {}", id, status, code);
    auto& metrics = observability::host_metrics();
    metrics.connections_refused.inc();
    metrics.errors.with({code}).inc();
    metrics.http_requests.with({"-", "-", std::to_string(status)}).inc();
    return false;
  }

  const Poco::Net::TCPServer& server_;
  const ServerOptions& options_;
  limits::ClientConnections& connections_;
};

}  // namespace

HttpServer::HttpServer(const Router& router, ServerOptions options)
    : options_(std::move(options)),
      connections_(static_cast<std::size_t>(options_.max_connections_per_client)) {
  observability::install_poco_error_log();  // failures in Poco's threads get logged, not lost
  Poco::Net::ServerSocket socket;
  const Poco::Net::SocketAddress address(options_.bind, static_cast<Poco::UInt16>(options_.port));
  // SO_REUSEADDR (restart while old connections linger in TIME_WAIT) but not SO_REUSEPORT,
  // which Poco's two-argument bind also sets: with it a second host would silently share the
  // port instead of failing to start.
  socket.bind(address, /*reuseAddress=*/true, /*reusePort=*/false);
  socket.listen(1024);

  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(options_.max_threads);
  params->setMaxQueued(options_.max_queued);
  params->setTimeout(Poco::Timespan(static_cast<long>(options_.io_timeout_ms) * 1000));
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(
      Poco::Timespan(static_cast<long>(options_.keep_alive_timeout_ms) * 1000));
  params->setMaxKeepAliveRequests(options_.max_keep_alive_requests);
  params->setServerName("agent-host");

  pool_ =
      std::make_unique<Poco::ThreadPool>(std::min(2, options_.max_threads), options_.max_threads,
                                         60, static_cast<int>(options_.thread_stack_bytes));
  server_ = std::make_unique<Poco::Net::TCPServer>(
      new ConnectionFactory(params, router, options_,
                            options_.max_connections_per_client > 0 ? &connections_ : nullptr),
      *pool_, socket, params);
  server_->setConnectionFilter(new AdmissionFilter(*server_, options_, connections_));
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  server_->start();
  running_ = true;
  spdlog::info("http: listening on {}:{} (threads up to {}, queue {}, io timeout {} ms)",
               options_.bind, port(), options_.max_threads, options_.max_queued,
               options_.io_timeout_ms);
}

void HttpServer::stop() {
  if (!running_) return;
  running_ = false;
  server_->stop();
  pool_->joinAll();
}

unsigned HttpServer::port() const { return server_->socket().address().port(); }

}  // namespace agent_host::http
