// The SQL store's connections keep their prepared statements: each SQL text is prepared once per
// connection, survives a failed run, and is prepared again on the new connection after the
// database server restarted.
#include <catch2/catch.hpp>

#include "store/conversation_store.h"
#include "store/session_pool.h"
#include "store/store_factory.h"
#include "support/postgres_server.h"
#include "support/stored_message.h"
#include "support/temp_dir.h"

using namespace agent_host::store;

TEST_CASE(
    "a connection prepares each statement once, binds $n by number and reuses it after a "
    "failed run",
    "[store][sql_connection]") {
  const std::string kind = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(kind);
  const agent_test::TempDir dir;
  const bool sqlite = kind == "sqlite";
  const std::string connection =
      sqlite ? (dir.path() / "statements.db").string()
             : agent_test::shared_postgres().create_database("statements_" + kind);
  SessionPool pool(sqlite ? SqlBackend::sqlite : SqlBackend::postgresql, connection, kind, 1,
                   std::chrono::milliseconds(5000), nullptr);
  auto lease = pool.acquire();
  SqlConnection& db = *lease;
  db.run("CREATE TABLE t (id TEXT PRIMARY KEY, n BIGINT NOT NULL)");
  const std::size_t prepared = db.prepared_count();

  const char* insert = "INSERT INTO t (id, n) VALUES ($1, $2)";
  for (std::int64_t n = 1; n <= 3; ++n) db.run(insert, {"row" + std::to_string(n), n});
  CHECK(db.prepared_count() == prepared + 1);

  CHECK_THROWS(db.run(insert, {"row1", std::int64_t{9}}));  // duplicate key
  db.run(insert, {"row4", std::int64_t{4}});                // the same statement, still usable
  CHECK(db.prepared_count() == prepared + 1);

  // $2 appears before $1 in the text: values bind by number, not by position.
  const auto rows =
      db.run("SELECT id, n FROM t WHERE n > $2 AND id <> $1 ORDER BY n", {"row3", std::int64_t{1}});
  REQUIRE(rows.size() == 2);
  CHECK(rows.text(0, 0) == "row2");
  CHECK(rows.integer(1, 1) == 4);
  CHECK(db.run("SELECT id FROM t WHERE id = $1", {"missing"}).empty());
}

TEST_CASE("after PostgreSQL restarts, the store reconnects and prepares its statements again",
          "[store][sql_connection]") {
  agent_test::PostgresServer server;
  StoreConfig config;
  config.type = StoreConfig::Type::postgresql;
  config.postgresql_connection = server.create_database("restart");
  config.pool_size = 2;
  config.acquire_timeout_ms = 2000;
  auto store = make_conversation_store(config, agent_host::plugins::SecretStore{});
  const auto conversation = store->create("alice", "helper");
  store->append(conversation.id, {agent_test::stored_message("m1", "user", "before", 1)});

  server.stop();
  CHECK_THROWS_AS(
      store->append(conversation.id, {agent_test::stored_message("m2", "user", "while down", 1)}),
      StoreUnavailableError);
  const int port = server.port();
  server.start();
  if (server.port() != port) {
    WARN("PostgreSQL came back on another port; the store cannot follow it");
    return;
  }
  // The pool dropped the broken connections: the next append opens a new one and prepares its
  // statements there.
  store->append(conversation.id, {agent_test::stored_message("m3", "user", "after", 1)});
  const auto messages = store->messages(conversation.id);
  REQUIRE(messages.size() == 2);
  CHECK(messages[1].content == "after");
  CHECK(store->find(conversation.id)->message_count == 2);
}
