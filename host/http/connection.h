// One client connection: parses requests with Poco, runs them through the router, and answers
// every failure as JSON — including what Poco's own parser rejects, which Poco's
// HTTPServerConnection would answer with an empty 400. It also refuses ambiguous framing
// (Content-Length with Transfer-Encoding: request smuggling) and writes the access log.
#pragma once

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include "http/router.h"
#include "http/server_options.h"
#include "limits/client_connections.h"

namespace agent_host::http {

class Connection : public Poco::Net::TCPServerConnection {
 public:
  // `connections` (null without a per-client cap) gets this connection's place back at the end.
  Connection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
             const Router& router, const ServerOptions& options,
             limits::ClientConnections* connections);
  void run() override;

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  limits::ClientConnections* connections_;
  const Router& router_;
  const ServerOptions& options_;
};

class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  ConnectionFactory(Poco::Net::HTTPServerParams::Ptr params, const Router& router,
                    const ServerOptions& options, limits::ClientConnections* connections)
      : params_(std::move(params)), router_(router), options_(options), connections_(connections) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    // Poco takes ownership.
    return new Connection(socket, params_, router_, options_, connections_);
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  const Router& router_;
  const ServerOptions& options_;
  limits::ClientConnections* connections_;
};

}  // namespace agent_host::http
