// A bounded pool of database connections (a Poco::Data session and the statements prepared on
// it, sql_connection.h) that waits for a free one (Poco's own SessionPool throws when it is
// exhausted) and drops connections that broke, so the store reconnects by itself once the
// database is back.
#pragma once

#include <Poco/Data/Session.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/sql_backend.h"
#include "store/sql_connection.h"

namespace agent_host::store {

class SessionPool {
 public:
  // `prepare` runs on every new session (pragmas, settings). `describe` names the database in
  // errors without its password.
  SessionPool(SqlBackend backend, std::string connection, std::string describe,
              std::size_t max_sessions, std::chrono::milliseconds wait,
              std::function<void(Poco::Data::Session&)> prepare);
  ~SessionPool();
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  // A connection borrowed from the pool; it goes back when the lease ends unless discard() was
  // called (a connection that failed is not handed out again, nor are its statements).
  class Lease {
   public:
    Lease(SessionPool& pool, std::unique_ptr<SqlConnection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    SqlConnection& operator*() const { return *connection_; }
    SqlConnection* operator->() const { return connection_.get(); }
    void discard() { discarded_ = true; }

   private:
    SessionPool* pool_;
    std::unique_ptr<SqlConnection> connection_;
    bool discarded_ = false;
  };

  // Throws StoreUnavailableError when no session frees up in time or the database cannot be
  // reached.
  Lease acquire();
  const std::string& description() const { return describe_; }
  // Closes every idle session: after one connection was found broken (the server restarted), the
  // others most likely are too, and each would cost a client a 503 before being dropped.
  void drop_idle();

 private:
  void give_back(std::unique_ptr<SqlConnection> connection, bool discarded);

  const SqlBackend backend_;
  const std::string connection_;
  const std::string describe_;
  const std::size_t max_sessions_;
  const std::chrono::milliseconds wait_;
  const std::function<void(Poco::Data::Session&)> prepare_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<SqlConnection>> idle_;
  // Discarded PostgreSQL connections the server broke, kept until it answers again: destroying
  // one then resets it first, so Poco frees libpq's connection (sql_connection.h). At most one
  // per connection open when the server went away.
  std::vector<std::unique_ptr<SqlConnection>> broken_;
  std::size_t open_ = 0;  // idle + leased
};

}  // namespace agent_host::store
