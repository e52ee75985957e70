// One client connection (plain TCP, or TLS over it) with deadline-bound I/O: every wait is
// limited by a steady-clock deadline the caller computes (connect, first byte, idle, total).
// The socket exists from construction, so its fd can be linked for cancellation before connect().
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace agent_host::http_client {

using Clock = std::chrono::steady_clock;

// A wait reached its deadline.
class DeadlineExceeded : public std::runtime_error {
 public:
  DeadlineExceeded() : std::runtime_error("deadline exceeded") {}
};

class Connection {
 public:
  explicit Connection(Poco::Net::SocketAddress::Family family);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const noexcept { return fd_; }
  bool secure() const noexcept { return secure_; }

  // Throw DeadlineExceeded, or Poco exceptions for network and TLS failures.
  void connect(const Poco::Net::SocketAddress& address, Clock::time_point deadline);
  // TLS client handshake over the connected socket, verifying `host` per `context`.
  void start_tls(const std::string& host, const Poco::Net::Context::Ptr& context,
                 Clock::time_point deadline);
  void write_all(std::string_view data, Clock::time_point deadline);
  // Waits for data and returns what arrived (> 0), or 0 when the peer closed the connection.
  std::size_t read_some(char* buffer, std::size_t capacity, Clock::time_point deadline);

  // True when nothing is waiting to be read: no stray bytes, no close from the peer. Checked
  // before an idle connection is reused.
  bool quiet() const;

 private:
  void wait_readable(Clock::time_point deadline) const;

  Poco::Net::StreamSocket socket_;  // after start_tls(), a SecureStreamSocket on the same fd
  int fd_ = -1;
  bool secure_ = false;
};

}  // namespace agent_host::http_client
