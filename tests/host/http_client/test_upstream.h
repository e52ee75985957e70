// Real servers on loopback for the HTTP client tests: a Poco HTTP(S) server with routes, a raw
// TCP server run by a script (for malformed or misbehaving peers), and a tiny proxy (forwarding
// plain HTTP and tunnelling CONNECT). Handlers that must stall wait on a gate the fixture opens
// on teardown, so no server thread outlives a test.
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http_client/http_client.h"

namespace http_client_test {

using namespace std::chrono_literals;
using agent_host::http_client::Headers;

inline std::string fixture_tls(const std::string& name) {
  return std::string(AGENT_TEST_SOURCE_DIR) + "/tests/fixtures/tls/" + name;
}

// Opened once; everything waiting on it (with a bound) goes on.
class Gate {
 public:
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }
  bool wait(std::chrono::milliseconds bound = 10s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, bound, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
};

class TestUpstream {
 public:
  using Handler =
      std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&)>;

  explicit TestUpstream(bool tls = false,
                        std::chrono::milliseconds keep_alive_timeout = std::chrono::seconds(10),
                        std::string host = "127.0.0.1")
      : tls_(tls), host_(std::move(host)) {
    auto params = Poco::Net::HTTPServerParams::Ptr(new Poco::Net::HTTPServerParams);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(keep_alive_timeout.count() * 1000));
    params->setMaxThreads(16);
    const Poco::Net::SocketAddress address(host_, 0);
    if (tls_) {
      Poco::Net::initializeSSL();
      context_ =
          new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, fixture_tls("localhost.key"),
                                 fixture_tls("localhost.crt"), "", Poco::Net::Context::VERIFY_NONE);
      server_ = std::make_unique<Poco::Net::HTTPServer>(
          new Factory(*this), pool_, Poco::Net::SecureServerSocket(address, 64, context_), params);
    } else {
      server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), pool_,
                                                        Poco::Net::ServerSocket(address), params);
    }
    server_->start();
  }

  ~TestUpstream() {
    gate.open();
    server_->stopAll(true);
    for (int i = 0; i < 500 && server_->currentConnections() > 0; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    server_.reset();
    pool_.joinAll();
    if (tls_) Poco::Net::uninitializeSSL();
  }

  void route(const std::string& path, Handler handler) {
    std::lock_guard lock(mutex_);
    routes_[path] = std::move(handler);
  }

  unsigned port() const { return server_->port(); }
  // TLS URLs use "localhost", the certificate's name.
  std::string url(const std::string& path) const {
    const std::string host = tls_ && host_ == "127.0.0.1" ? "localhost" : host_;
    return std::string(tls_ ? "https://" : "http://") + host + ":" + std::to_string(port()) + path;
  }
  // TCP connections accepted so far.
  int connections() const { return server_->totalConnections(); }

  Gate gate;  // stalled handlers wait on this; opened on teardown

 private:
  class Dispatch : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Dispatch(TestUpstream& upstream) : upstream_(upstream) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
      Handler handler;
      {
        std::lock_guard lock(upstream_.mutex_);
        // Absolute-form targets (from a forwarding proxy) route by their path too.
        const auto it = upstream_.routes_.find(Poco::URI(request.getURI()).getPath());
        if (it != upstream_.routes_.end()) handler = it->second;
      }
      if (!handler) {
        response.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
        response.setContentLength(0);
        response.send();
        return;
      }
      handler(request, response);
    }

   private:
    TestUpstream& upstream_;
  };

  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(TestUpstream& upstream) : upstream_(upstream) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
      return new Dispatch(upstream_);
    }

   private:
    TestUpstream& upstream_;
  };

  bool tls_;
  std::string host_;
  Poco::ThreadPool pool_{2, 16};
  Poco::Net::Context::Ptr context_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::mutex mutex_;
  std::map<std::string, Handler> routes_;
};

// Reads up to the end of a request or response head ("" when the peer closed first).
inline std::string read_head(Poco::Net::StreamSocket& socket) {
  std::string data;
  char c;
  while (data.size() < 65536 && data.find("\r\n\r\n") == std::string::npos) {
    if (socket.receiveBytes(&c, 1) <= 0) return "";
    data.push_back(c);
  }
  return data;
}

// Reads one request: its head and a Content-Length body ("" when the peer closed first).
inline std::string read_request(Poco::Net::StreamSocket& socket) {
  std::string request = read_head(socket);
  if (request.empty()) return request;
  std::string lower = request;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto at = lower.find("content-length:");
  if (at != std::string::npos) {
    std::size_t left = std::stoul(request.substr(at + 15));
    char buffer[4096];
    while (left > 0) {
      const int n = socket.receiveBytes(buffer, static_cast<int>(std::min(left, sizeof buffer)));
      if (n <= 0) break;
      request.append(buffer, static_cast<std::size_t>(n));
      left -= static_cast<std::size_t>(n);
    }
  }
  return request;
}

inline void send_text(Poco::Net::StreamSocket& socket, const std::string& text) {
  socket.sendBytes(text.data(), static_cast<int>(text.size()));
}

// A TCP server whose connections are each handled by `script` (connection index from 0) on its
// own thread; the connection closes when the script returns. Teardown shuts every connection
// down, so scripts blocked in reads return.
class RawServer {
 public:
  using Script = std::function<void(Poco::Net::StreamSocket&, int index)>;

  explicit RawServer(Script script)
      : listener_(Poco::Net::SocketAddress("127.0.0.1", 0)), script_(std::move(script)) {
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~RawServer() {
    stopping_ = true;
    acceptor_.join();
    {
      std::lock_guard lock(mutex_);
      for (auto& socket : sockets_) {
        try {
          socket.shutdown();
        } catch (...) {
        }
      }
    }
    for (auto& thread : threads_) thread.join();
  }

  unsigned port() const { return listener_.address().port(); }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + path;
  }
  int accepted() const { return accepted_; }

 private:
  void accept_loop() {
    while (!stopping_) {
      if (!listener_.poll(Poco::Timespan(0, 20'000), Poco::Net::Socket::SELECT_READ)) continue;
      Poco::Net::StreamSocket socket = listener_.acceptConnection();
      const int index = accepted_++;
      std::lock_guard lock(mutex_);
      sockets_.push_back(socket);
      threads_.emplace_back([this, socket, index]() mutable {
        try {
          script_(socket, index);
        } catch (...) {
        }
        std::lock_guard lock(mutex_);  // never while the destructor shuts sockets down
        socket.close();
      });
    }
  }

  Poco::Net::ServerSocket listener_;
  Script script_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::mutex mutex_;
  std::vector<Poco::Net::StreamSocket> sockets_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

// Copies bytes both ways until one side closes.
inline void pump(Poco::Net::StreamSocket& a, Poco::Net::StreamSocket& b) {
  char buffer[16384];
  pollfd fds[2] = {{a.impl()->sockfd(), POLLIN, 0}, {b.impl()->sockfd(), POLLIN, 0}};
  while (::poll(fds, 2, 10000) > 0) {
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      auto& from = i == 0 ? a : b;
      auto& to = i == 0 ? b : a;
      const int n = from.receiveBytes(buffer, sizeof buffer);
      if (n <= 0) return;
      to.sendBytes(buffer, n);
    }
  }
}

// A proxy: forwards absolute-form HTTP requests (head unchanged) and tunnels CONNECT. Records
// every request line it gets and the Proxy-Authorization it saw.
class TestProxy {
 public:
  TestProxy() : server_([this](Poco::Net::StreamSocket& client, int) { serve(client); }) {}

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }
  unsigned port() const { return server_.port(); }
  std::vector<std::string> request_lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  std::string authorization() const {
    std::lock_guard lock(mutex_);
    return authorization_;
  }

 private:
  void serve(Poco::Net::StreamSocket& client) {
    const std::string head = read_head(client);
    if (head.empty()) return;
    const std::string line = head.substr(0, head.find("\r\n"));
    {
      std::lock_guard lock(mutex_);
      lines_.push_back(line);
      const auto at = head.find("Proxy-Authorization: ");
      if (at != std::string::npos) {
        authorization_ = head.substr(at + 21, head.find("\r\n", at) - at - 21);
      }
    }
    const auto target = line.substr(line.find(' ') + 1, line.rfind(' ') - line.find(' ') - 1);
    if (line.rfind("CONNECT ", 0) == 0) {
      Poco::Net::StreamSocket upstream{Poco::Net::SocketAddress(target)};
      send_text(client, "HTTP/1.1 200 Connection established\r\n\r\n");
      pump(client, upstream);
      return;
    }
    const Poco::URI uri(target);
    Poco::Net::StreamSocket upstream{Poco::Net::SocketAddress(uri.getHost(), uri.getPort())};
    send_text(upstream, head);
    pump(client, upstream);
  }

  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
  std::string authorization_;
  RawServer server_;  // last: its threads stop before the members they use go away
};

// Collects a response as the client streams it.
struct Collected : agent_host::http_client::ResponseHandler {
  int status = 0;
  Headers headers;
  std::vector<std::string> pieces;
  bool stop_at_head = false;
  // Called with each piece; return false to stop.
  std::function<bool(std::string_view)> on_piece;

  bool on_head(int s, const Headers& h) override {
    status = s;
    headers = h;
    return !stop_at_head;
  }
  bool on_body(std::string_view bytes) override {
    pieces.emplace_back(bytes);
    return on_piece ? on_piece(bytes) : true;
  }
  std::string body() const {
    std::string out;
    for (const auto& piece : pieces) out += piece;
    return out;
  }
  std::string header(std::string_view name) const {
    const auto* found = agent_host::http_client::find_header(headers, name);
    return found != nullptr ? found->value : "";
  }
};

// Client options for tests: proxies from the test, never from the environment.
inline agent_host::http_client::ClientOptions test_options() {
  agent_host::http_client::ClientOptions options;
  options.proxies = agent_host::http_client::ProxySettings{};
  return options;
}

inline long long elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               since)
      .count();
}

}  // namespace http_client_test
