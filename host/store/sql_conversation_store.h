// The durable conversation store on SQLite (a file, WAL) or PostgreSQL (shared by several hosts).
// Both run the same schema (schema_migrations.h) and queries; Poco::Data opens the connections and
// migrates, the queries run as statements prepared once per connection (sql_connection.h).
//
// Ordering: a conversation's messages carry a sequence number. append() bumps the conversation's
// message_count in the same transaction that inserts the messages; on PostgreSQL that UPDATE takes
// the conversation's row lock, so concurrent appends from several hosts commit one after the
// other and the unique (conversation_id, seq) pair rejects any interleaving.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "store/conversation_store.h"
#include "store/group_commit.h"
#include "store/session_pool.h"
#include "store/sql_backend.h"

namespace agent_host::store {

struct SqlStoreOptions {
  SqlBackend backend = SqlBackend::sqlite;
  // SQLite: the database file (its folder is created). PostgreSQL: a libpq connection string
  // ("host=... port=... dbname=... user=... password=..." or a postgresql:// URI).
  std::string connection;
  std::string describe;  // how logs and errors name the database (never with a password)
  std::size_t pool_size = 8;
  std::chrono::milliseconds acquire_timeout{5000};
  std::size_t max_queued_writes = 8192;  // SQLite: writes waiting for the writer; beyond it 503
};

class SqlConversationStore final : public ConversationStore {
 public:
  // Opens the database and applies pending migrations. Throws StoreOpenError with the reason
  // (unreachable, not writable, schema newer than this binary).
  explicit SqlConversationStore(SqlStoreOptions options);
  ~SqlConversationStore() override;

  std::optional<Conversation> find(const std::string& conversation_id) const override;
  Conversation create(const std::string& user_id, const std::string& agent_id,
                      const std::string& tenant = "") override;
  Conversation create_with_messages(const std::string& user_id, const std::string& agent_id,
                                    const std::string& tenant,
                                    const std::vector<Message>& messages) override;
  std::vector<Message> recent_messages(const std::string& conversation_id,
                                       std::size_t limit) const override;
  Page<Message> message_page(const std::string& conversation_id, std::size_t limit,
                             const std::string& cursor) const override;
  Conversation append(const std::string& conversation_id,
                      const std::vector<Message>& messages) override;
  Page<Conversation> list(const ConversationQuery& query) const override;
  bool remove(const std::string& conversation_id) override;

 private:
  template <typename F>
  auto read(const char* what, F&& body) const;
  template <typename F>
  auto write(const char* what, F&& body);
  static void insert_conversation(SqlConnection& connection, const Conversation& conversation);
  static Conversation append_messages(SqlConnection& connection, const std::string& conversation_id,
                                      const std::vector<Message>& messages);
  // Rethrows the exception being handled as the store's error types; `session` (if any) is
  // dropped when its connection cannot be trusted any more.
  [[noreturn]] void rethrow_mapped(const char* what, SessionPool::Lease* session) const;

  const SqlStoreOptions options_;
  mutable SessionPool pool_;
  // SQLite: every write goes through one writer thread that commits them in batches.
  std::unique_ptr<GroupCommitter> committer_;
};

}  // namespace agent_host::store
