// The cap on concurrent connections per client IP address (limits.max_connections_per_client).
// The acceptor asks before a connection is queued; the connection gives its place back when it
// ends. Keyed by socket descriptor as well, so the release does not depend on the peer address
// still being readable (getpeername fails once the peer has reset).
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace agent_host::limits {

class ClientConnections {
 public:
  explicit ClientConnections(std::size_t max_per_client) : max_per_client_(max_per_client) {}

  // False when `address` already holds max_per_client connections.
  bool try_open(int fd, const std::string& address);
  void close(int fd);
  std::size_t open_for(const std::string& address) const;

 private:
  const std::size_t max_per_client_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> per_address_;
  std::unordered_map<int, std::string> by_fd_;
};

}  // namespace agent_host::limits
