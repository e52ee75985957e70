// One connection of the SQL store, with the statements prepared on it.
//
// Poco::Data opens the connection, sets it up and runs the migrations, but it prepares a statement
// anew on every execution: SQLite compiles the SQL each time, PostgreSQL prepares, executes and
// deallocates it (three round trips). The store's own queries go through run() instead, which
// prepares each SQL text once per connection and reuses it until the connection is dropped; the
// store's SQL texts are a fixed, small set, so the cache stays small.
//
// After a failed statement: SQLite statements are reset and stay usable; a PostgreSQL connection
// whose statement failed is discarded by the store (session_pool.h), and its statements with it,
// so a reconnected server starts with an empty cache.
#pragma once

#include <Poco/Data/Session.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/sql_backend.h"

namespace agent_host::store {

// A statement's $n parameter: text or a 64-bit integer.
using SqlParam = std::variant<std::string_view, std::int64_t>;

// The rows a statement returned. Cells are text (integers in decimal, NULL as "").
class SqlRows {
 public:
  std::size_t size() const { return columns_ == 0 ? 0 : cells_.size() / columns_; }
  bool empty() const { return size() == 0; }
  const std::string& text(std::size_t row, std::size_t column) const {
    return cells_[row * columns_ + column];
  }
  std::int64_t integer(std::size_t row, std::size_t column) const;

 private:
  friend class SqlConnection;
  std::size_t columns_ = 0;
  std::vector<std::string> cells_;
};

class SqlConnection {
 public:
  SqlConnection(SqlBackend backend, std::unique_ptr<Poco::Data::Session> session);
  ~SqlConnection();  // finalizes the statements; resets a broken PostgreSQL connection first
  SqlConnection(const SqlConnection&) = delete;
  SqlConnection& operator=(const SqlConnection&) = delete;

  // The Poco session, for set-up and migrations.
  Poco::Data::Session& session() { return *session_; }

  // Runs `sql` ($1, $2, ... in the text) with `params`, preparing it on its first run on this
  // connection. Errors are thrown as Poco::Data's statements throw them (the SQLite exception
  // for the result code; PostgreSQLException with the server's message), so the store maps them
  // alike. PostgreSQL statements without parameters (BEGIN, COMMIT...) are sent as they are.
  SqlRows run(std::string_view sql, std::initializer_list<SqlParam> params = {});
  SqlRows run(std::string_view sql, const std::vector<SqlParam>& params);

  // How many statements are prepared on this connection (tests).
  std::size_t prepared_count() const;

  // True for a PostgreSQL connection the server closed or broke. Poco frees libpq's connection
  // only while it is connected, so the pool keeps a broken one until the server is back and
  // this connection can be reset (reconnected) and then freed (session_pool.h).
  bool broken() const;

 private:
  struct Cache;
  SqlRows run_sqlite(std::string_view sql, const SqlParam* params, std::size_t count);
  SqlRows run_postgresql(std::string_view sql, const SqlParam* params, std::size_t count);

  const SqlBackend backend_;
  std::unique_ptr<Poco::Data::Session> session_;
  std::unique_ptr<Cache> cache_;  // declared after the session: destroyed before it
};

}  // namespace agent_host::store
