// A thread-safe Redis client over hiredis for the session store and the context cache.
//
// - A bounded pool of blocking connections; each is set up with AUTH and SELECT and has connect
//   and command timeouts, so a Redis that hangs bounds a call instead of hanging a chat.
// - Outages fail fast: after a connection error the client is "degraded" and every call throws
//   RedisUnavailable at once, without touching the network; a monitor thread PINGs (backing off
//   from 100 ms to check_interval) and restores the client when Redis answers again. The outage
//   is logged once when it starts and once when it ends, not per request.
// - status() feeds /health.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "observability/dependency_status.h"
#include "store/redis/redis_options.h"

namespace agent_host::store::redis {

struct RedisReply {
  enum class Type { nil, integer, string, status, array } type = Type::nil;
  long long integer = 0;
  std::string string;  // string and status replies
  std::vector<RedisReply> elements;
};

// Redis cannot be reached or did not answer in time: callers go on without it.
class RedisUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Redis answered with an error reply (a bug on our side or a misconfigured server).
class RedisCommandError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A Lua script, called by its SHA1 (EVALSHA) and loaded with EVAL when Redis does not know it.
struct RedisScript {
  explicit RedisScript(std::string source);
  std::string source;
  std::string sha1;
};

class RedisClient {
 public:
  // Never throws for an unreachable Redis: the client starts degraded and recovers by itself.
  explicit RedisClient(RedisOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Throws RedisUnavailable or RedisCommandError.
  RedisReply command(const std::vector<std::string>& args);
  RedisReply eval(const RedisScript& script, const std::vector<std::string>& keys,
                  const std::vector<std::string>& args);

  observability::DependencyStatus status() const;
  const RedisOptions& options() const noexcept { return options_; }

 private:
  class Connection;
  struct Lease;

  Lease acquire();
  RedisReply run(Lease& lease, const std::vector<std::string>& args);
  void mark_down(const std::string& error);
  void mark_up();
  void monitor();

  const RedisOptions options_;
  std::atomic<bool> up_{false};

  mutable std::mutex state_mutex_;
  observability::DependencyStatus status_;

  std::mutex pool_mutex_;
  std::condition_variable pool_released_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
  std::uint64_t generation_ = 0;  // bumped at each outage: connections of an older one are closed

  std::mutex monitor_mutex_;
  std::condition_variable monitor_wake_;
  bool stopping_ = false;
  std::thread monitor_;
};

}  // namespace agent_host::store::redis
