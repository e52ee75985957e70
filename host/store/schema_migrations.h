// The conversation schema as numbered migrations, applied in order at start-up. A database whose
// schema is newer than this binary knows is refused rather than guessed at.
#pragma once

#include <Poco/Data/Session.h>

#include <string>
#include <vector>

#include "store/sql_backend.h"

namespace agent_host::store {

struct Migration {
  int version;
  std::vector<std::string> statements;  // SQL both SQLite and PostgreSQL accept
  // When the two need different SQL (SQLite cannot change a table's keys: it rebuilds the table),
  // these run instead of `statements` on their database.
  std::vector<std::string> sqlite = {};
  std::vector<std::string> postgresql = {};

  const std::vector<std::string>& for_backend(SqlBackend backend) const {
    const auto& own = backend == SqlBackend::sqlite ? sqlite : postgresql;
    return own.empty() ? statements : own;
  }
};

const std::vector<Migration>& schema_migrations();
int latest_schema_version();

// Brings the database to latest_schema_version(). Throws StoreOpenError naming both versions when
// the database is newer than this binary. `describe` names the database in messages.
void migrate_schema(Poco::Data::Session& session, SqlBackend backend, const std::string& describe);

}  // namespace agent_host::store
