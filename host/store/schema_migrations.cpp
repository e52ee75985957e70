#include "store/schema_migrations.h"

#include <Poco/Data/Statement.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "store/conversation_store.h"
#include "store/wall_clock.h"

namespace agent_host::store {
namespace {

using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

// The advisory lock key is any number; it only has to be the same for every host sharing one
// PostgreSQL database.
constexpr const char* kTakeMigrationLock = "SELECT pg_advisory_lock(7301462915)";
constexpr const char* kReleaseMigrationLock = "SELECT pg_advisory_unlock(7301462915)";

int current_version(Poco::Data::Session& session) {
  std::vector<Poco::Int64> versions;
  session << "SELECT COALESCE(MAX(version), 0) FROM schema_version", into(versions), now;
  return versions.empty() ? 0 : static_cast<int>(versions.front());
}

void apply_pending(Poco::Data::Session& session, SqlBackend backend, const std::string& describe) {
  session << "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, "
             "applied_at BIGINT NOT NULL)",
      now;
  const int version = current_version(session);
  if (version > latest_schema_version()) {
    throw StoreOpenError(describe + " has schema version " + std::to_string(version) +
                         ", newer than the " + std::to_string(latest_schema_version()) +
                         " this agent-host knows: run a newer agent-host or point this one at "
                         "another database");
  }
  const bool sqlite = backend == SqlBackend::sqlite;
  for (const auto& migration : schema_migrations()) {
    if (migration.version <= version) continue;
    // SQLite rebuilds a table to change its keys: with foreign keys on, dropping the old table
    // would cascade to the rows that reference it. They are off during the migration (SQLite
    // ignores the pragma inside a transaction) and checked before the commit instead.
    if (sqlite) session << "PRAGMA foreign_keys=OFF", now;
    session << (sqlite ? "BEGIN IMMEDIATE" : "BEGIN"), now;
    try {
      for (const auto& sql : migration.for_backend(backend)) session << sql, now;
      if (sqlite) {
        std::vector<std::string> dangling;
        session << "SELECT \"table\" FROM pragma_foreign_key_check", into(dangling), now;
        if (!dangling.empty()) {
          throw StoreOpenError("migrating " + describe + " to schema version " +
                               std::to_string(migration.version) + " left rows of " +
                               dangling.front() + " without the row they reference");
        }
      }
      session << "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)",
          bind(migration.version), bind(wall_clock_ms()), now;
      session << "COMMIT", now;
    } catch (...) {
      session << "ROLLBACK", now;
      if (sqlite) session << "PRAGMA foreign_keys=ON", now;
      throw;
    }
    if (sqlite) session << "PRAGMA foreign_keys=ON", now;
    spdlog::info("store: {} migrated to schema version {}", describe, migration.version);
  }
}

}  // namespace

const std::vector<Migration>& schema_migrations() {
  // Timestamps are milliseconds since the epoch (BIGINT) so both databases read them alike.
  // Messages are ordered by `seq`, their position in the conversation from 1: the unique
  // (conversation_id, seq) pair is what keeps two hosts from interleaving a conversation.
  static const std::vector<Migration> migrations = {
      {1,
       {
           "CREATE TABLE users (user_id TEXT PRIMARY KEY, created_at BIGINT NOT NULL, "
           "last_active BIGINT NOT NULL)",
           "CREATE TABLE conversations (conversation_id TEXT PRIMARY KEY, "
           "user_id TEXT NOT NULL REFERENCES users (user_id), agent_id TEXT NOT NULL, "
           "created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, "
           "message_count BIGINT NOT NULL DEFAULT 0)",
           "CREATE INDEX idx_conversations_user_agent ON conversations "
           "(user_id, agent_id, created_at, conversation_id)",
           "CREATE INDEX idx_conversations_user_created ON conversations "
           "(user_id, created_at, conversation_id)",
           "CREATE TABLE messages (message_id TEXT PRIMARY KEY, "
           "conversation_id TEXT NOT NULL REFERENCES conversations (conversation_id) "
           "ON DELETE CASCADE, seq BIGINT NOT NULL, "
           "role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'tool', 'system')), "
           "content TEXT NOT NULL, tokens_used BIGINT NOT NULL DEFAULT 0, "
           "created_at BIGINT NOT NULL, interrupted INTEGER NOT NULL DEFAULT 0, "
           "provider TEXT, model TEXT, tool_calls TEXT, tool_call_id TEXT, "
           "UNIQUE (conversation_id, seq))",
           "CREATE INDEX idx_messages_conversation_created ON messages "
           "(conversation_id, created_at)",
       }},
      // Authentication: a conversation belongs to its owner's tenant ('' when auth is off, and
      // for conversations stored before). Tenant listings get their own indexes; the old ones
      // serve hosts without auth and admins listing a user across tenants.
      {2,
       {
           "ALTER TABLE conversations ADD COLUMN tenant TEXT NOT NULL DEFAULT ''",
           "CREATE INDEX idx_conversations_tenant_user_agent ON conversations "
           "(tenant, user_id, agent_id, created_at, conversation_id)",
           "CREATE INDEX idx_conversations_tenant_user_created ON conversations "
           "(tenant, user_id, created_at, conversation_id)",
       }},
      // Users are per tenant: the same subject in two tenants is two users (as the sessions and
      // the listings already treat it), so users are keyed by (tenant, user_id) and a
      // conversation references its owner by both. Every existing row stays as the '' tenant's;
      // each (tenant, user) pair with conversations gets its own row, with the shared row's
      // timestamps.
      {3,
       {},
       // SQLite cannot change a primary key or a foreign key: both tables are rebuilt (the
       // documented procedure, foreign keys off; see apply_pending).
       {
           "CREATE TABLE users_v3 (tenant TEXT NOT NULL DEFAULT '', user_id TEXT NOT NULL, "
           "created_at BIGINT NOT NULL, last_active BIGINT NOT NULL, "
           "PRIMARY KEY (tenant, user_id))",
           "INSERT INTO users_v3 (tenant, user_id, created_at, last_active) "
           "SELECT '', user_id, created_at, last_active FROM users",
           "INSERT INTO users_v3 (tenant, user_id, created_at, last_active) "
           "SELECT DISTINCT c.tenant, c.user_id, u.created_at, u.last_active "
           "FROM conversations c JOIN users u ON u.user_id = c.user_id WHERE c.tenant <> ''",
           "CREATE TABLE conversations_v3 (conversation_id TEXT PRIMARY KEY, "
           "user_id TEXT NOT NULL, agent_id TEXT NOT NULL, "
           "created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, "
           "message_count BIGINT NOT NULL DEFAULT 0, tenant TEXT NOT NULL DEFAULT '', "
           "FOREIGN KEY (tenant, user_id) REFERENCES users (tenant, user_id))",
           "INSERT INTO conversations_v3 (conversation_id, user_id, agent_id, created_at, "
           "updated_at, message_count, tenant) SELECT conversation_id, user_id, agent_id, "
           "created_at, updated_at, message_count, tenant FROM conversations",
           "DROP TABLE conversations",
           "ALTER TABLE conversations_v3 RENAME TO conversations",
           "DROP TABLE users",
           "ALTER TABLE users_v3 RENAME TO users",
           "CREATE INDEX idx_conversations_user_agent ON conversations "
           "(user_id, agent_id, created_at, conversation_id)",
           "CREATE INDEX idx_conversations_user_created ON conversations "
           "(user_id, created_at, conversation_id)",
           "CREATE INDEX idx_conversations_tenant_user_agent ON conversations "
           "(tenant, user_id, agent_id, created_at, conversation_id)",
           "CREATE INDEX idx_conversations_tenant_user_created ON conversations "
           "(tenant, user_id, created_at, conversation_id)",
       },
       {
           "ALTER TABLE conversations DROP CONSTRAINT conversations_user_id_fkey",
           "ALTER TABLE users ADD COLUMN tenant TEXT NOT NULL DEFAULT ''",
           "ALTER TABLE users DROP CONSTRAINT users_pkey",
           "ALTER TABLE users ADD PRIMARY KEY (tenant, user_id)",
           "INSERT INTO users (tenant, user_id, created_at, last_active) "
           "SELECT DISTINCT c.tenant, c.user_id, u.created_at, u.last_active "
           "FROM conversations c JOIN users u ON u.user_id = c.user_id AND u.tenant = '' "
           "WHERE c.tenant <> ''",
           "ALTER TABLE conversations ADD FOREIGN KEY (tenant, user_id) "
           "REFERENCES users (tenant, user_id)",
       }},
  };
  return migrations;
}

int latest_schema_version() { return schema_migrations().back().version; }

void migrate_schema(Poco::Data::Session& session, SqlBackend backend, const std::string& describe) {
  if (backend == SqlBackend::sqlite) {
    apply_pending(session, backend, describe);
    return;
  }
  // Hosts starting together against one PostgreSQL database migrate one after the other.
  session << kTakeMigrationLock, now;
  try {
    apply_pending(session, backend, describe);
  } catch (...) {
    session << kReleaseMigrationLock, now;
    throw;
  }
  session << kReleaseMigrationLock, now;
}

}  // namespace agent_host::store
