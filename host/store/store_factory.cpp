#include "store/store_factory.h"

#include "store/sql_conversation_store.h"

namespace agent_host::store {
namespace {

// A libpq keyword/value string quotes values in single quotes with \ escapes.
std::string conninfo_value(const std::string& value) {
  std::string quoted = "'";
  for (const char c : value) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

}  // namespace

std::unique_ptr<ConversationStore> make_conversation_store(const StoreConfig& config,
                                                           const plugins::SecretStore& secrets) {
  switch (config.type) {
    case StoreConfig::Type::memory:
      return std::make_unique<MemoryConversationStore>(config.memory);
    case StoreConfig::Type::sqlite: {
      SqlStoreOptions options;
      options.backend = SqlBackend::sqlite;
      options.connection = config.sqlite_path.string();
      options.describe = "SQLite database " + config.sqlite_path.string();
      options.pool_size = config.pool_size;
      options.acquire_timeout = std::chrono::milliseconds(config.acquire_timeout_ms);
      return std::make_unique<SqlConversationStore>(std::move(options));
    }
    case StoreConfig::Type::postgresql: {
      SqlStoreOptions options;
      options.backend = SqlBackend::postgresql;
      options.connection = config.postgresql_connection;
      options.describe = "PostgreSQL (" + config.postgresql_connection + ")";
      if (!config.password_secret.empty()) {
        const auto password = secrets.get(config.password_secret);
        if (!password) {
          throw StoreOpenError("store.password_secret: the secret '" + config.password_secret +
                               "' has no value");
        }
        options.connection += " password=" + conninfo_value(*password);
      }
      options.pool_size = config.pool_size;
      options.acquire_timeout = std::chrono::milliseconds(config.acquire_timeout_ms);
      return std::make_unique<SqlConversationStore>(std::move(options));
    }
  }
  throw StoreOpenError("unknown store type");
}

}  // namespace agent_host::store
