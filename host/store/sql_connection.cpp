#include "store/sql_connection.h"

#include <Poco/Data/PostgreSQL/PostgreSQLException.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <Poco/Data/SQLite/Utility.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <charconv>
#include <stdexcept>
#include <unordered_map>

namespace agent_host::store {
namespace {

// Heterogeneous lookup: find a statement by the string_view of its SQL without a copy.
struct SqlHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

struct SqliteStatement {
  sqlite3_stmt* handle = nullptr;
  // For SQLite's parameter index i (from 1), the store's $n at position i - 1: SQLite numbers
  // "$n" parameters by first appearance, not by n.
  std::vector<int> parameter_of_index;
};

// Resets a statement after its run, whatever happened, so it holds no lock or bound text.
struct ResetAfter {
  sqlite3_stmt* statement;
  ~ResetAfter() {
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
  }
};

[[noreturn]] void throw_postgresql(PGconn* connection, PGresult* result, std::string_view sql) {
  std::string message = result != nullptr ? PQresultErrorMessage(result) : "";
  if (message.empty()) message = PQerrorMessage(connection);
  if (PQstatus(connection) == CONNECTION_BAD) message = "no connection to the server: " + message;
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  PQclear(result);
  throw Poco::Data::PostgreSQL::PostgreSQLException(message + " [" + std::string(sql) + "]");
}

}  // namespace

struct SqlConnection::Cache {
  sqlite3* sqlite = nullptr;
  PGconn* postgresql = nullptr;
  Poco::Data::PostgreSQL::SessionHandle* postgresql_session = nullptr;
  std::unordered_map<std::string, SqliteStatement, SqlHash, std::equal_to<>> sqlite_statements;
  std::unordered_map<std::string, std::string, SqlHash, std::equal_to<>> postgresql_names;

  ~Cache() {
    for (auto& [sql, statement] : sqlite_statements) sqlite3_finalize(statement.handle);
    // PostgreSQL's prepared statements go with the connection: deallocating them one by one on a
    // connection that may be broken would only cost round trips.
  }
};

std::int64_t SqlRows::integer(std::size_t row, std::size_t column) const {
  const std::string& cell = text(row, column);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (error != std::errc() || end != cell.data() + cell.size()) {
    throw std::runtime_error("the database returned \"" + cell + "\" where a number belongs");
  }
  return value;
}

SqlConnection::SqlConnection(SqlBackend backend, std::unique_ptr<Poco::Data::Session> session)
    : backend_(backend), session_(std::move(session)), cache_(std::make_unique<Cache>()) {
  if (backend_ == SqlBackend::sqlite) {
    cache_->sqlite = Poco::Data::SQLite::Utility::dbHandle(*session_);
  } else {
    auto* impl = dynamic_cast<Poco::Data::PostgreSQL::SessionImpl*>(session_->impl());
    if (impl == nullptr) throw std::logic_error("a PostgreSQL store got another kind of session");
    cache_->postgresql_session = &impl->handle();
    cache_->postgresql = impl->handle();
  }
}

SqlConnection::~SqlConnection() {
  // Poco's PostgreSQL session frees libpq's connection only while it is connected, so one the
  // server broke (a restart) would leak with its buffers. Resetting reconnects it, and Poco then
  // frees it; the pool destroys broken connections only once the server answers again.
  if (broken()) {
    try {
      cache_->postgresql_session->reset();
    } catch (...) {
    }
  }
}

bool SqlConnection::broken() const {
  return cache_->postgresql_session != nullptr && PQstatus(cache_->postgresql) != CONNECTION_OK;
}

std::size_t SqlConnection::prepared_count() const {
  return cache_->sqlite_statements.size() + cache_->postgresql_names.size();
}

SqlRows SqlConnection::run(std::string_view sql, std::initializer_list<SqlParam> params) {
  return backend_ == SqlBackend::sqlite ? run_sqlite(sql, params.begin(), params.size())
                                        : run_postgresql(sql, params.begin(), params.size());
}

SqlRows SqlConnection::run(std::string_view sql, const std::vector<SqlParam>& params) {
  return backend_ == SqlBackend::sqlite ? run_sqlite(sql, params.data(), params.size())
                                        : run_postgresql(sql, params.data(), params.size());
}

SqlRows SqlConnection::run_sqlite(std::string_view sql, const SqlParam* params, std::size_t count) {
  sqlite3* db = cache_->sqlite;
  auto found = cache_->sqlite_statements.find(sql);
  if (found == cache_->sqlite_statements.end()) {
    SqliteStatement statement;
    const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &statement.handle, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(statement.handle);
      Poco::Data::SQLite::Utility::throwException(db, rc & 0xff, std::string(sql));
    }
    for (int i = 1; i <= sqlite3_bind_parameter_count(statement.handle); ++i) {
      const char* name = sqlite3_bind_parameter_name(statement.handle, i);
      int n = 0;
      if (name == nullptr || name[0] != '$' ||
          std::from_chars(name + 1, name + std::char_traits<char>::length(name), n).ec !=
              std::errc() ||
          n < 1) {
        sqlite3_finalize(statement.handle);
        throw std::logic_error("the store's SQL uses a parameter other than $n: " +
                               std::string(sql));
      }
      statement.parameter_of_index.push_back(n - 1);
    }
    found = cache_->sqlite_statements.emplace(std::string(sql), std::move(statement)).first;
  }
  const SqliteStatement& statement = found->second;
  sqlite3_stmt* handle = statement.handle;
  const ResetAfter reset{handle};
  for (std::size_t i = 0; i < statement.parameter_of_index.size(); ++i) {
    const auto n = static_cast<std::size_t>(statement.parameter_of_index[i]);
    if (n >= count) throw std::logic_error("missing parameter $" + std::to_string(n + 1));
    const int index = static_cast<int>(i + 1);
    int rc;
    if (const auto* text = std::get_if<std::string_view>(&params[n])) {
      // SQLITE_STATIC: the text outlives the run, and the binding is cleared after it.
      rc = sqlite3_bind_text64(handle, index, text->data(), text->size(), SQLITE_STATIC,
                               SQLITE_UTF8);
    } else {
      rc = sqlite3_bind_int64(handle, index, std::get<std::int64_t>(params[n]));
    }
    if (rc != SQLITE_OK) Poco::Data::SQLite::Utility::throwException(db, rc & 0xff);
  }
  SqlRows rows;
  rows.columns_ = static_cast<std::size_t>(sqlite3_column_count(handle));
  for (;;) {
    const int rc = sqlite3_step(handle);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) Poco::Data::SQLite::Utility::throwException(db, rc & 0xff);
    for (std::size_t c = 0; c < rows.columns_; ++c) {
      const auto* text = sqlite3_column_text(handle, static_cast<int>(c));
      const int bytes = sqlite3_column_bytes(handle, static_cast<int>(c));
      rows.cells_.emplace_back(text == nullptr ? "" : reinterpret_cast<const char*>(text),
                               static_cast<std::size_t>(bytes));
    }
  }
  return rows;
}

SqlRows SqlConnection::run_postgresql(std::string_view sql, const SqlParam* params,
                                      std::size_t count) {
  PGconn* connection = cache_->postgresql;
  PGresult* result = nullptr;
  if (count == 0) {
    result = PQexec(connection, std::string(sql).c_str());
  } else {
    auto found = cache_->postgresql_names.find(sql);
    if (found == cache_->postgresql_names.end()) {
      // Parameter types are left to the server, which infers them from the columns they meet.
      std::string name = "agent_host_" + std::to_string(cache_->postgresql_names.size() + 1);
      result = PQprepare(connection, name.c_str(), std::string(sql).c_str(), 0, nullptr);
      if (PQresultStatus(result) != PGRES_COMMAND_OK) throw_postgresql(connection, result, sql);
      PQclear(result);
      found = cache_->postgresql_names.emplace(std::string(sql), std::move(name)).first;
    }
    // Text format for every value: integers in decimal.
    std::vector<std::string> values(count);
    std::vector<const char*> pointers(count);
    for (std::size_t i = 0; i < count; ++i) {
      if (const auto* text = std::get_if<std::string_view>(&params[i])) {
        values[i].assign(text->data(), text->size());
      } else {
        values[i] = std::to_string(std::get<std::int64_t>(params[i]));
      }
      pointers[i] = values[i].c_str();
    }
    result = PQexecPrepared(connection, found->second.c_str(), static_cast<int>(count),
                            pointers.data(), nullptr, nullptr, 0);
  }
  const auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw_postgresql(connection, result, sql);
  }
  SqlRows rows;
  rows.columns_ = static_cast<std::size_t>(PQnfields(result));
  const int tuples = PQntuples(result);
  rows.cells_.reserve(static_cast<std::size_t>(tuples) * rows.columns_);
  for (int r = 0; r < tuples; ++r) {
    for (int c = 0; c < static_cast<int>(rows.columns_); ++c) {
      rows.cells_.emplace_back(PQgetvalue(result, r, c),
                               static_cast<std::size_t>(PQgetlength(result, r, c)));
    }
  }
  PQclear(result);
  return rows;
}

}  // namespace agent_host::store
