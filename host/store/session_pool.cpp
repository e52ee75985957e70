#include "store/session_pool.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Exception.h>
#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "store/conversation_store.h"

namespace agent_host::store {
namespace {

const char* connector_name(SqlBackend backend) {
  static std::once_flag registered;
  std::call_once(registered, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
  return backend == SqlBackend::sqlite ? "SQLite" : "PostgreSQL";
}

}  // namespace

SessionPool::SessionPool(SqlBackend backend, std::string connection, std::string describe,
                         std::size_t max_sessions, std::chrono::milliseconds wait,
                         std::function<void(Poco::Data::Session&)> prepare)
    : backend_(backend),
      connection_(std::move(connection)),
      describe_(std::move(describe)),
      max_sessions_(max_sessions),
      wait_(wait),
      prepare_(std::move(prepare)) {}

SessionPool::~SessionPool() = default;

SessionPool::Lease::~Lease() {
  if (connection_) pool_->give_back(std::move(connection_), discarded_);
}

SessionPool::Lease SessionPool::acquire() {
  {
    std::unique_lock lock(mutex_);
    if (!freed_.wait_for(lock, wait_, [&] { return !idle_.empty() || open_ < max_sessions_; })) {
      throw StoreUnavailableError("no connection to " + describe_ + " became free within " +
                                  std::to_string(wait_.count()) + " ms");
    }
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(connection));
    }
    ++open_;  // reserve the slot; connecting happens outside the lock
  }
  try {
    // Poco retries opening until its login timeout (60 s by default): bound it by our wait.
    const auto seconds = std::max<std::size_t>(
        1,
        static_cast<std::size_t>(std::chrono::duration_cast<std::chrono::seconds>(wait_).count()));
    // Poco's PostgreSQL session frees libpq's connection object only once connected: every
    // failed attempt leaks one (tens of KB), so an outage would grow memory with each retry.
    // Asking the server first leaves that to the rare server that dies in between. A connection
    // string libpq cannot use (PQPING_NO_ATTEMPT) goes on to Poco, whose error names the problem.
    if (backend_ == SqlBackend::postgresql) {
      switch (PQping(connection_.c_str())) {
        case PQPING_NO_RESPONSE:
          throw Poco::IOException("the server does not answer");
        case PQPING_REJECT:
          throw Poco::IOException("the server refuses connections (starting or shutting down)");
        default:
          break;
      }
    }
    auto session =
        std::make_unique<Poco::Data::Session>(connector_name(backend_), connection_, seconds);
    if (prepare_) prepare_(*session);
    Lease lease(*this, std::make_unique<SqlConnection>(backend_, std::move(session)));
    // The server answers again: the connections it broke can be reset and freed now.
    std::vector<std::unique_ptr<SqlConnection>> broken;
    {
      std::lock_guard lock(mutex_);
      broken.swap(broken_);
    }
    return lease;
  } catch (const Poco::Exception& e) {
    give_back(nullptr, true);
    throw StoreUnavailableError("cannot open " + describe_ + ": " + e.displayText());
  } catch (...) {
    give_back(nullptr, true);
    throw;
  }
}

void SessionPool::drop_idle() {
  std::vector<std::unique_ptr<SqlConnection>> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(idle_);
    open_ -= dropped.size();
    for (auto& connection : dropped) {
      if (connection->broken()) broken_.push_back(std::move(connection));
    }
  }
  freed_.notify_all();
  // The connections close here, outside the lock.
}

void SessionPool::give_back(std::unique_ptr<SqlConnection> connection, bool discarded) {
  {
    std::lock_guard lock(mutex_);
    if (discarded || !connection) {
      --open_;
      if (connection && connection->broken()) broken_.push_back(std::move(connection));
    } else {
      idle_.push_back(std::move(connection));
    }
  }
  freed_.notify_one();
}

}  // namespace agent_host::store
