// Idle keep-alive connections, per origin (scheme, host, port and proxy), bounded in number and
// age. Only connections whose last response was read completely are put back.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "http_client/connection.h"

namespace agent_host::http_client {

class ConnectionPool {
 public:
  ConnectionPool(std::size_t max_idle_per_origin, std::chrono::milliseconds expiry)
      : max_idle_per_origin_(max_idle_per_origin), expiry_(expiry) {}
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // The most recently used idle connection to `origin` that is still open, or null.
  std::unique_ptr<Connection> acquire(const std::string& origin);
  // Keeps `connection` for reuse (dropping the oldest beyond the bound).
  void release(const std::string& origin, std::unique_ptr<Connection> connection);

  std::size_t idle() const;

 private:
  struct Idle {
    std::unique_ptr<Connection> connection;
    Clock::time_point since;
  };
  // Moves expired connections out (to be closed after the lock is released).
  void collect_expired(Clock::time_point now, std::deque<Idle>& dead);

  const std::size_t max_idle_per_origin_;
  const std::chrono::milliseconds expiry_;
  mutable std::mutex mutex_;
  std::map<std::string, std::deque<Idle>> idle_;  // oldest first
};

}  // namespace agent_host::http_client
