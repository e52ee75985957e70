#include "store/sql_conversation_store.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/PostgreSQLException.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/Statement.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <limits>

#include "ids/random_uuid.h"
#include "store/epoch_ms.h"
#include "store/page_cursor.h"
#include "store/schema_migrations.h"

namespace agent_host::store {
namespace {

using Poco::Int64;
using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

const char* connector_name(SqlBackend backend) {
  static std::once_flag registered;
  std::call_once(registered, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
  return backend == SqlBackend::sqlite ? "SQLite" : "PostgreSQL";
}

void prepare_session(SqlBackend backend, Poco::Data::Session& session) {
  if (backend == SqlBackend::sqlite) {
    // WAL lets readers run beside the writer. synchronous=FULL syncs the WAL on every commit: a
    // 2xx on chat promises the turn survives a power loss, not only a crash of the process.
    session << "PRAGMA journal_mode=WAL", now;
    session << "PRAGMA synchronous=FULL", now;
    session << "PRAGMA busy_timeout=5000", now;
    session << "PRAGMA foreign_keys=ON", now;
  } else {
    // libpq prints notices on stderr ("relation already exists, skipping"): not for operators.
    session << "SET client_min_messages = warning", now;
  }
}

// The columns read_messages() expects, in order.
constexpr const char* kMessageColumns =
    "SELECT message_id, role, content, tokens_used, created_at, interrupted, "
    "COALESCE(provider, ''), COALESCE(model, ''), COALESCE(tool_calls, ''), "
    "COALESCE(tool_call_id, ''), seq FROM messages ";

struct MessageRows {
  std::vector<std::string> id, role, content, provider, model, tool_calls, tool_call_id;
  std::vector<Int64> tokens, created_at, seq;
  std::vector<int> interrupted;

  std::vector<Message> to_messages() const {
    std::vector<Message> messages(id.size());
    for (std::size_t i = 0; i < id.size(); ++i) {
      Message& m = messages[i];
      m.id = id[i];
      m.role = role[i];
      m.content = content[i];
      m.tokens = tokens[i];
      m.created_at_ms = created_at[i];
      m.interrupted = interrupted[i] != 0;
      m.provider = provider[i];
      m.model = model[i];
      m.tool_calls = tool_calls[i];
      m.tool_call_id = tool_call_id[i];
    }
    return messages;
  }
};

void bind_message_rows(Poco::Data::Statement& statement, MessageRows& rows) {
  statement, into(rows.id), into(rows.role), into(rows.content), into(rows.tokens),
      into(rows.created_at), into(rows.interrupted), into(rows.provider), into(rows.model),
      into(rows.tool_calls), into(rows.tool_call_id), into(rows.seq);
}

#define AGENT_HOST_CONVERSATION_COLUMNS \
  "conversation_id, user_id, agent_id, created_at, updated_at, message_count, tenant"
constexpr const char* kConversationColumns =
    "SELECT " AGENT_HOST_CONVERSATION_COLUMNS " FROM conversations ";

struct ConversationRows {
  std::vector<std::string> id, user_id, agent_id, tenant;
  std::vector<Int64> created_at, updated_at, message_count;

  std::vector<Conversation> to_conversations() const {
    std::vector<Conversation> conversations(id.size());
    for (std::size_t i = 0; i < id.size(); ++i) {
      conversations[i] = {id[i],         user_id[i],       agent_id[i], created_at[i],
                          updated_at[i], message_count[i], tenant[i]};
    }
    return conversations;
  }
};

void bind_conversation_rows(Poco::Data::Statement& statement, ConversationRows& rows) {
  statement, into(rows.id), into(rows.user_id), into(rows.agent_id), into(rows.created_at),
      into(rows.updated_at), into(rows.message_count), into(rows.tenant);
}

Int64 to_int64(std::size_t value) {
  return static_cast<Int64>(std::min<std::size_t>(value, std::numeric_limits<Int64>::max()));
}

// Text PostgreSQL uses when the connection, not the statement, is the problem.
bool connection_lost(const std::string& text) {
  for (const char* marker : {"server closed the connection", "no connection to the server",
                             "terminating connection", "could not connect", "connection to server",
                             "Connection refused", "not connected", "the database system is"}) {
    if (text.find(marker) != std::string::npos) return true;
  }
  return false;
}

// Writes per SQLite transaction at most: large enough that one fsync serves many turns, small
// enough that a batch's transaction stays short.
constexpr std::size_t kMaxBatch = 512;

}  // namespace

SqlConversationStore::SqlConversationStore(SqlStoreOptions options)
    : options_(std::move(options)),
      pool_(connector_name(options_.backend), options_.connection, options_.describe,
            options_.pool_size, options_.acquire_timeout,
            [backend = options_.backend](Poco::Data::Session& session) {
              prepare_session(backend, session);
            }) {
  if (options_.backend == SqlBackend::sqlite) {
    const auto folder = std::filesystem::path(options_.connection).parent_path();
    std::error_code error;
    if (!folder.empty()) std::filesystem::create_directories(folder, error);
    if (error) {
      throw StoreOpenError("cannot create the data directory " + folder.string() + " for " +
                           options_.describe + ": " + error.message());
    }
  }
  try {
    auto session = pool_.acquire();
    migrate_schema(*session, options_.backend, options_.describe);
  } catch (const StoreOpenError&) {
    throw;
  } catch (const StoreUnavailableError& e) {
    throw StoreOpenError(e.what());
  } catch (const Poco::Exception& e) {
    throw StoreOpenError("cannot open " + options_.describe + ": " + e.displayText());
  }
  if (options_.backend == SqlBackend::sqlite) {
    committer_ = std::make_unique<GroupCommitter>(
        pool_, options_.max_queued_writes, kMaxBatch,
        [this](SessionPool::Lease& session) { rethrow_mapped("committing writes", &session); });
  }
  spdlog::info("store: conversations in {} (schema version {})", options_.describe,
               latest_schema_version());
}

// The committer goes first: it finishes the queued writes while the pool is still there.
SqlConversationStore::~SqlConversationStore() { committer_.reset(); }

void SqlConversationStore::rethrow_mapped(const char* what, SessionPool::Lease* session) const {
  const std::string prefix = std::string(what) + " in " + options_.describe + " failed: ";
  const auto drop = [session] {
    if (session != nullptr) session->discard();
  };
  try {
    throw;
  } catch (const StoreFullError&) {
    throw;
  } catch (const StoreUnavailableError&) {
    throw;
  } catch (const std::logic_error&) {  // out_of_range (unknown conversation), bad cursor
    throw;
  } catch (const Poco::Data::SQLite::DatabaseFullException& e) {
    throw StoreFullError(prefix + "the disk is full (" + e.displayText() + ")");
  } catch (const Poco::Data::SQLite::IOErrorException& e) {
    // A write the file system refused: in practice a full disk or a file-size limit.
    drop();
    throw StoreFullError(prefix + "the file system refused the write, is the disk full? (" +
                         e.displayText() + ")");
  } catch (const Poco::Data::SQLite::ReadOnlyException& e) {
    drop();
    throw StoreUnavailableError(prefix + "the database is read-only (" + e.displayText() + ")");
  } catch (const Poco::Data::SQLite::CantOpenDBFileException& e) {
    drop();
    throw StoreUnavailableError(prefix + e.displayText());
  } catch (const Poco::Data::SQLite::DBLockedException& e) {
    throw StoreUnavailableError(prefix + "the database stayed locked (" + e.displayText() + ")");
  } catch (const Poco::Data::PostgreSQL::PostgreSQLException& e) {
    // A failed statement may leave the connection in any state: do not reuse it.
    drop();
    const std::string text = e.displayText();
    if (text.find("No space left") != std::string::npos ||
        text.find("could not extend file") != std::string::npos) {
      throw StoreFullError(prefix + text);
    }
    if (connection_lost(text)) {
      pool_.drop_idle();
      throw StoreUnavailableError(prefix + text);
    }
    throw std::runtime_error(prefix + text);
  } catch (const Poco::Exception& e) {
    drop();
    if (options_.backend == SqlBackend::postgresql && connection_lost(e.displayText())) {
      pool_.drop_idle();
      throw StoreUnavailableError(prefix + e.displayText());
    }
    throw std::runtime_error(prefix + e.displayText());
  }
}

template <typename F>
auto SqlConversationStore::read(const char* what, F&& body) const {
  auto session = pool_.acquire();
  try {
    return body(*session);
  } catch (...) {
    rethrow_mapped(what, &session);
  }
}

template <typename F>
auto SqlConversationStore::write(const char* what, F&& body) {
  if (committer_) {
    std::optional<decltype(body(std::declval<Poco::Data::Session&>()))> result;
    try {
      committer_->run([&](Poco::Data::Session& session) { result.emplace(body(session)); });
    } catch (...) {
      rethrow_mapped(what, nullptr);
    }
    return std::move(*result);
  }
  auto session = pool_.acquire();
  bool open = false;
  try {
    *session << "BEGIN", now;
    open = true;
    auto result = body(*session);
    *session << "COMMIT", now;
    return result;
  } catch (...) {
    if (open) {
      try {
        *session << "ROLLBACK", now;
      } catch (...) {
        session.discard();
      }
    }
    rethrow_mapped(what, &session);
  }
}

std::optional<Conversation> SqlConversationStore::find(const std::string& conversation_id) const {
  return read("reading a conversation", [&](Poco::Data::Session& session) {
    ConversationRows rows;
    Poco::Data::Statement statement(session);
    statement << std::string(kConversationColumns) + "WHERE conversation_id = $1",
        bind(conversation_id);
    bind_conversation_rows(statement, rows);
    statement.execute();
    auto found = rows.to_conversations();
    return found.empty() ? std::nullopt : std::optional<Conversation>(std::move(found.front()));
  });
}

Conversation SqlConversationStore::create(const std::string& user_id, const std::string& agent_id,
                                          const std::string& tenant) {
  Conversation conversation;
  conversation.id = ids::random_uuid();
  conversation.user_id = user_id;
  conversation.tenant = tenant;
  conversation.agent_id = agent_id;
  conversation.created_at_ms = conversation.updated_at_ms = epoch_ms();
  return write("creating a conversation", [&](Poco::Data::Session& session) {
    session << "INSERT INTO users (user_id, created_at, last_active) VALUES ($1, $2, $3) "
               "ON CONFLICT (user_id) DO UPDATE SET last_active = excluded.last_active",
        bind(user_id), bind(Int64(conversation.created_at_ms)),
        bind(Int64(conversation.created_at_ms)), now;
    session << "INSERT INTO conversations (conversation_id, user_id, agent_id, created_at, "
               "updated_at, message_count, tenant) VALUES ($1, $2, $3, $4, $5, 0, $6)",
        bind(conversation.id), bind(user_id), bind(agent_id),
        bind(Int64(conversation.created_at_ms)), bind(Int64(conversation.updated_at_ms)),
        bind(tenant), now;
    return conversation;
  });
}

std::vector<Message> SqlConversationStore::recent_messages(const std::string& conversation_id,
                                                           std::size_t limit) const {
  return read("reading recent messages", [&](Poco::Data::Session& session) {
    MessageRows rows;
    Poco::Data::Statement statement(session);
    statement << std::string(kMessageColumns) +
                     "WHERE conversation_id = $1 ORDER BY seq DESC LIMIT $2",
        bind(conversation_id), bind(to_int64(limit));
    bind_message_rows(statement, rows);
    statement.execute();
    auto messages = rows.to_messages();
    std::reverse(messages.begin(), messages.end());
    return messages;
  });
}

Page<Message> SqlConversationStore::message_page(const std::string& conversation_id,
                                                 std::size_t limit,
                                                 const std::string& cursor) const {
  const Int64 after = cursor.empty() ? 0 : parse_message_cursor(cursor);
  return read("reading messages", [&](Poco::Data::Session& session) {
    MessageRows rows;
    Poco::Data::Statement statement(session);
    // One more than asked tells whether another page follows.
    statement << std::string(kMessageColumns) +
                     "WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        bind(conversation_id), bind(after), bind(to_int64(limit) + 1);
    bind_message_rows(statement, rows);
    statement.execute();
    Page<Message> page;
    page.items = rows.to_messages();
    if (page.items.size() > limit) {
      page.items.resize(limit);
      page.next_cursor = message_cursor(rows.seq[limit - 1]);
    }
    return page;
  });
}

Conversation SqlConversationStore::append(const std::string& conversation_id,
                                          const std::vector<Message>& messages) {
  return write("storing messages", [&](Poco::Data::Session& session) {
    const Int64 count = to_int64(messages.size());
    const Int64 updated_at = epoch_ms();
    ConversationRows rows;
    Poco::Data::Statement update(session);
    // The UPDATE takes the conversation's row lock (PostgreSQL) or the database's write lock
    // (SQLite) before the sequence numbers are handed out.
    update << "UPDATE conversations SET message_count = message_count + $1, updated_at = $2 "
              "WHERE conversation_id = $3 RETURNING " AGENT_HOST_CONVERSATION_COLUMNS,
        bind(count), bind(updated_at), bind(conversation_id);
    bind_conversation_rows(update, rows);
    update.execute();
    auto after = rows.to_conversations();
    if (after.empty()) throw std::out_of_range("unknown conversation " + conversation_id);
    Int64 seq = after.front().message_count - count;
    for (const auto& m : messages) {
      session << "INSERT INTO messages (message_id, conversation_id, seq, role, content, "
                 "tokens_used, created_at, interrupted, provider, model, tool_calls, "
                 "tool_call_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULLIF($9, ''), "
                 "NULLIF($10, ''), NULLIF($11, ''), NULLIF($12, ''))",
          bind(m.id), bind(conversation_id), bind(++seq), bind(m.role), bind(m.content),
          bind(Int64(m.tokens)), bind(Int64(m.created_at_ms)), bind(m.interrupted ? 1 : 0),
          bind(m.provider), bind(m.model), bind(m.tool_calls), bind(m.tool_call_id), now;
    }
    return after.front();
  });
}

Page<Conversation> SqlConversationStore::list(const ConversationQuery& query) const {
  ConversationPosition after{std::numeric_limits<Int64>::max(), ""};
  if (!query.cursor.empty()) after = parse_conversation_cursor(query.cursor);
  return read("listing conversations", [&](Poco::Data::Session& session) {
    ConversationRows rows;
    Poco::Data::Statement statement(session);
    const Int64 limit = to_int64(query.limit) + 1;
    // Only the filters given, so each query can use its index: (user_id, agent_id, created_at)
    // or, with a tenant, (tenant, user_id, agent_id, created_at).
    std::string sql = std::string(kConversationColumns) + "WHERE user_id = $1";
    statement, bind(query.user_id);
    int next = 2;
    if (!query.agent_id.empty()) {
      sql += " AND agent_id = $" + std::to_string(next++);
      statement, bind(query.agent_id);
    }
    if (query.tenant) {
      sql += " AND tenant = $" + std::to_string(next++);
      statement, bind(*query.tenant);
    }
    sql += " AND (created_at, conversation_id) < ($" + std::to_string(next) + ", $" +
           std::to_string(next + 1) + ") ORDER BY created_at DESC, conversation_id DESC LIMIT $" +
           std::to_string(next + 2);
    statement, bind(Int64(after.created_at_ms)), bind(after.id), bind(limit);
    statement << sql;
    bind_conversation_rows(statement, rows);
    statement.execute();
    Page<Conversation> page;
    page.items = rows.to_conversations();
    if (page.items.size() > query.limit) {
      page.items.resize(query.limit);
      page.next_cursor =
          conversation_cursor({page.items.back().created_at_ms, page.items.back().id});
    }
    return page;
  });
}

bool SqlConversationStore::remove(const std::string& conversation_id) {
  return write("deleting a conversation", [&](Poco::Data::Session& session) {
    session << "DELETE FROM messages WHERE conversation_id = $1", bind(conversation_id), now;
    std::vector<std::string> deleted;
    session << "DELETE FROM conversations WHERE conversation_id = $1 RETURNING conversation_id",
        bind(conversation_id), into(deleted), now;
    return !deleted.empty();
  });
}

}  // namespace agent_host::store
