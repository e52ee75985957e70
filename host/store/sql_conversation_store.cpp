#include "store/sql_conversation_store.h"

#include <Poco/Data/PostgreSQL/PostgreSQLException.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/Statement.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <limits>

#include "store/new_conversation.h"
#include "store/page_cursor.h"
#include "store/schema_migrations.h"
#include "store/wall_clock.h"

namespace agent_host::store {
namespace {

using Poco::Data::Keywords::now;

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

// The columns to_messages() expects, in order.
#define AGENT_HOST_MESSAGE_COLUMNS                                           \
  "SELECT message_id, role, content, tokens_used, created_at, interrupted, " \
  "COALESCE(provider, ''), COALESCE(model, ''), COALESCE(tool_calls, ''), "  \
  "COALESCE(tool_call_id, ''), seq FROM messages "
constexpr std::size_t kMessageSeqColumn = 10;

std::vector<Message> to_messages(const SqlRows& rows) {
  std::vector<Message> messages(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Message& m = messages[i];
    m.id = rows.text(i, 0);
    m.role = rows.text(i, 1);
    m.content = rows.text(i, 2);
    m.tokens = rows.integer(i, 3);
    m.created_at_ms = rows.integer(i, 4);
    m.interrupted = rows.integer(i, 5) != 0;
    m.provider = rows.text(i, 6);
    m.model = rows.text(i, 7);
    m.tool_calls = rows.text(i, 8);
    m.tool_call_id = rows.text(i, 9);
  }
  return messages;
}

// The columns to_conversations() expects, in order.
#define AGENT_HOST_CONVERSATION_COLUMNS \
  "conversation_id, user_id, agent_id, created_at, updated_at, message_count, tenant"

std::vector<Conversation> to_conversations(const SqlRows& rows) {
  std::vector<Conversation> conversations(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    conversations[i] = {rows.text(i, 0),    rows.text(i, 1),    rows.text(i, 2), rows.integer(i, 3),
                        rows.integer(i, 4), rows.integer(i, 5), rows.text(i, 6)};
  }
  return conversations;
}

std::int64_t to_int64(std::size_t value) {
  return static_cast<std::int64_t>(
      std::min<std::size_t>(value, std::numeric_limits<std::int64_t>::max()));
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
      pool_(options_.backend, options_.connection, options_.describe, options_.pool_size,
            options_.acquire_timeout, [backend = options_.backend](Poco::Data::Session& session) {
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
    migrate_schema(session->session(), options_.backend, options_.describe);
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
    std::optional<decltype(body(std::declval<SqlConnection&>()))> result;
    try {
      committer_->run([&](SqlConnection& connection) { result.emplace(body(connection)); });
    } catch (...) {
      rethrow_mapped(what, nullptr);
    }
    return std::move(*result);
  }
  auto session = pool_.acquire();
  bool open = false;
  try {
    session->run("BEGIN");
    open = true;
    auto result = body(*session);
    session->run("COMMIT");
    return result;
  } catch (...) {
    if (open) {
      try {
        session->run("ROLLBACK");
      } catch (...) {
        session.discard();
      }
    }
    rethrow_mapped(what, &session);
  }
}

std::optional<Conversation> SqlConversationStore::find(const std::string& conversation_id) const {
  return read("reading a conversation", [&](SqlConnection& connection) {
    auto found = to_conversations(connection.run("SELECT " AGENT_HOST_CONVERSATION_COLUMNS
                                                 " FROM conversations WHERE conversation_id = $1",
                                                 {conversation_id}));
    return found.empty() ? std::nullopt : std::optional<Conversation>(std::move(found.front()));
  });
}

Conversation SqlConversationStore::create(const std::string& user_id, const std::string& agent_id,
                                          const std::string& tenant) {
  const Conversation conversation = new_conversation(user_id, agent_id, tenant);
  return write("creating a conversation", [&](SqlConnection& connection) {
    insert_conversation(connection, conversation);
    return conversation;
  });
}

Conversation SqlConversationStore::create_with_messages(const std::string& user_id,
                                                        const std::string& agent_id,
                                                        const std::string& tenant,
                                                        const std::vector<Message>& messages) {
  const Conversation conversation = new_conversation(user_id, agent_id, tenant);
  // One transaction (one group-commit job on SQLite) instead of two: half the commits of a
  // first turn, and no empty conversation is left when the messages cannot be stored.
  return write("storing a first turn", [&](SqlConnection& connection) {
    insert_conversation(connection, conversation);
    return append_messages(connection, conversation.id, messages);
  });
}

void SqlConversationStore::insert_conversation(SqlConnection& connection,
                                               const Conversation& conversation) {
  connection.run(
      "INSERT INTO users (tenant, user_id, created_at, last_active) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (tenant, user_id) DO UPDATE SET last_active = excluded.last_active",
      {conversation.tenant, conversation.user_id, conversation.created_at_ms,
       conversation.created_at_ms});
  connection.run(
      "INSERT INTO conversations (conversation_id, user_id, agent_id, created_at, updated_at, "
      "message_count, tenant) VALUES ($1, $2, $3, $4, $5, 0, $6)",
      {conversation.id, conversation.user_id, conversation.agent_id, conversation.created_at_ms,
       conversation.updated_at_ms, conversation.tenant});
}

std::vector<Message> SqlConversationStore::recent_messages(const std::string& conversation_id,
                                                           std::size_t limit) const {
  return read("reading recent messages", [&](SqlConnection& connection) {
    auto messages = to_messages(connection.run(
        AGENT_HOST_MESSAGE_COLUMNS "WHERE conversation_id = $1 ORDER BY seq DESC LIMIT $2",
        {conversation_id, to_int64(limit)}));
    std::reverse(messages.begin(), messages.end());
    return messages;
  });
}

Page<Message> SqlConversationStore::message_page(const std::string& conversation_id,
                                                 std::size_t limit,
                                                 const std::string& cursor) const {
  const std::int64_t after = cursor.empty() ? 0 : parse_message_cursor(cursor);
  return read("reading messages", [&](SqlConnection& connection) {
    // One more than asked tells whether another page follows.
    const auto rows = connection.run(
        AGENT_HOST_MESSAGE_COLUMNS "WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        {conversation_id, after, to_int64(limit) + 1});
    Page<Message> page;
    page.items = to_messages(rows);
    if (page.items.size() > limit) {
      page.items.resize(limit);
      page.next_cursor = message_cursor(rows.integer(limit - 1, kMessageSeqColumn));
    }
    return page;
  });
}

Conversation SqlConversationStore::append(const std::string& conversation_id,
                                          const std::vector<Message>& messages) {
  return write("storing messages", [&](SqlConnection& connection) {
    return append_messages(connection, conversation_id, messages);
  });
}

Conversation SqlConversationStore::append_messages(SqlConnection& connection,
                                                   const std::string& conversation_id,
                                                   const std::vector<Message>& messages) {
  const std::int64_t count = to_int64(messages.size());
  // The UPDATE takes the conversation's row lock (PostgreSQL) or the database's write lock
  // (SQLite) before the sequence numbers are handed out.
  auto after = to_conversations(
      connection.run("UPDATE conversations SET message_count = message_count + $1, updated_at = $2 "
                     "WHERE conversation_id = $3 RETURNING " AGENT_HOST_CONVERSATION_COLUMNS,
                     {count, wall_clock_ms(), conversation_id}));
  if (after.empty()) throw std::out_of_range("unknown conversation " + conversation_id);
  std::int64_t seq = after.front().message_count - count;
  for (const auto& m : messages) {
    connection.run(
        "INSERT INTO messages (message_id, conversation_id, seq, role, content, tokens_used, "
        "created_at, interrupted, provider, model, tool_calls, tool_call_id) VALUES ($1, $2, $3, "
        "$4, $5, $6, $7, $8, NULLIF($9, ''), NULLIF($10, ''), NULLIF($11, ''), NULLIF($12, ''))",
        {m.id, conversation_id, ++seq, m.role, m.content, m.tokens, m.created_at_ms,
         std::int64_t{m.interrupted ? 1 : 0}, m.provider, m.model, m.tool_calls, m.tool_call_id});
  }
  return after.front();
}

Page<Conversation> SqlConversationStore::list(const ConversationQuery& query) const {
  ConversationPosition after{std::numeric_limits<std::int64_t>::max(), ""};
  if (!query.cursor.empty()) after = parse_conversation_cursor(query.cursor);
  return read("listing conversations", [&](SqlConnection& connection) {
    // Only the filters given, so each query can use its index: (user_id, agent_id, created_at)
    // or, with a tenant, (tenant, user_id, agent_id, created_at). Four SQL texts at most, each
    // prepared once per connection.
    std::string sql =
        "SELECT " AGENT_HOST_CONVERSATION_COLUMNS " FROM conversations WHERE user_id = $1";
    std::vector<SqlParam> params{query.user_id};
    if (!query.agent_id.empty()) {
      params.emplace_back(query.agent_id);
      sql += " AND agent_id = $" + std::to_string(params.size());
    }
    if (query.tenant) {
      params.emplace_back(*query.tenant);
      sql += " AND tenant = $" + std::to_string(params.size());
    }
    const std::size_t next = params.size() + 1;
    sql += " AND (created_at, conversation_id) < ($" + std::to_string(next) + ", $" +
           std::to_string(next + 1) + ") ORDER BY created_at DESC, conversation_id DESC LIMIT $" +
           std::to_string(next + 2);
    params.emplace_back(after.created_at_ms);
    params.emplace_back(after.id);
    params.emplace_back(to_int64(query.limit) + 1);
    Page<Conversation> page;
    page.items = to_conversations(connection.run(sql, params));
    if (page.items.size() > query.limit) {
      page.items.resize(query.limit);
      page.next_cursor =
          conversation_cursor({page.items.back().created_at_ms, page.items.back().id});
    }
    return page;
  });
}

bool SqlConversationStore::remove(const std::string& conversation_id) {
  return write("deleting a conversation", [&](SqlConnection& connection) {
    connection.run("DELETE FROM messages WHERE conversation_id = $1", {conversation_id});
    return !connection
                .run(
                    "DELETE FROM conversations WHERE conversation_id = $1 RETURNING "
                    "conversation_id",
                    {conversation_id})
                .empty();
  });
}

}  // namespace agent_host::store
