// The HTTP server: a Poco TCPServer with our Connection, a thread pool sized from
// ServerOptions, and an admission filter that answers 503 + Retry-After when every thread is
// busy and the queue is full, instead of Poco's silent close.
#pragma once

#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

#include <memory>

#include "http/router.h"
#include "http/server_options.h"
#include "limits/client_connections.h"

namespace agent_host::http {

class HttpServer {
 public:
  // Binds the socket (throws Poco::Exception when the address is taken or invalid).
  HttpServer(const Router& router, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void start();
  // Stops accepting, then waits for the requests in flight to finish.
  void stop();

  // The bound port (useful with port 0).
  unsigned port() const;
  const ServerOptions& options() const noexcept { return options_; }
  int current_threads() const { return server_->currentThreads(); }
  int queued_connections() const { return server_->queuedConnections(); }
  int refused_connections() const { return server_->refusedConnections(); }

 private:
  const ServerOptions options_;
  limits::ClientConnections connections_;  // the per-client cap (unused when it is 0)
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::TCPServer> server_;
  bool running_ = false;
};

}  // namespace agent_host::http
