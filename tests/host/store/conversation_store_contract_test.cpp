// The conversation store's contract, run against every implementation: in-process, SQLite and a
// real PostgreSQL server (tests/support/postgres_server.h).
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <thread>

#include "store/conversation_store.h"
#include "store/schema_migrations.h"
#include "store/sql_conversation_store.h"
#include "store/store_factory.h"
#include "support/postgres_server.h"
#include "support/stored_message.h"
#include "support/temp_dir.h"

using namespace agent_host::store;
using agent_test::stored_message;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

namespace {

// Where a test's stores live; several stores opened on one Backend share one database (like
// several hosts would).
class Backend {
 public:
  explicit Backend(std::string kind) : kind_(std::move(kind)) {
    static int databases = 0;
    if (kind_ == "postgresql") {
      connection_ =
          agent_test::shared_postgres().create_database("contract_" + std::to_string(++databases));
    }
  }
  const std::string& kind() const { return kind_; }
  bool durable() const { return kind_ != "memory"; }

  StoreConfig config() const {
    StoreConfig config;
    if (kind_ == "sqlite") {
      config.type = StoreConfig::Type::sqlite;
      config.sqlite_path = dir_.path() / "data/agent-host.db";
    } else if (kind_ == "postgresql") {
      config.type = StoreConfig::Type::postgresql;
      config.postgresql_connection = connection_;
    }
    return config;
  }
  std::unique_ptr<ConversationStore> open() const {
    return make_conversation_store(config(), agent_host::plugins::SecretStore{});
  }

  // A session straight to the database, without the store.
  Poco::Data::Session raw_session() const {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
    const auto config = this->config();
    const bool sqlite = config.type == StoreConfig::Type::sqlite;
    if (sqlite) std::filesystem::create_directories(config.sqlite_path.parent_path());
    return Poco::Data::Session(sqlite ? "SQLite" : "PostgreSQL",
                               sqlite ? config.sqlite_path.string() : config.postgresql_connection);
  }
  // An empty database at an older schema version, as an older agent-host left it.
  Poco::Data::Session raw_session_at_version(int version) const {
    auto session = raw_session();
    session << "CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at BIGINT NOT NULL)",
        now;
    const auto backend = kind_ == "sqlite" ? SqlBackend::sqlite : SqlBackend::postgresql;
    for (const auto& migration : schema_migrations()) {
      if (migration.version > version) break;
      for (const auto& sql : migration.for_backend(backend)) session << sql, now;
      session << "INSERT INTO schema_version (version, applied_at) VALUES ($1, 0)",
          Poco::Data::Keywords::bind(migration.version), now;
    }
    return session;
  }
  // The users rows as "tenant/user_id", sorted.
  std::vector<std::string> users() const {
    std::vector<std::string> rows;
    raw_session() << "SELECT tenant || '/' || user_id FROM users", into(rows), now;
    std::sort(rows.begin(), rows.end());
    return rows;
  }

 private:
  std::string kind_;
  agent_test::TempDir dir_;
  std::string connection_;
};

Message full_message(const std::string& id, const std::string& role) {
  Message message = stored_message(id.c_str(), role.c_str(), ("text " + id).c_str(), 7);
  message.created_at_ms = 1700000000123;
  return message;
}

}  // namespace

TEST_CASE("every store keeps a conversation's messages in order with every field",
          "[store][contract]") {
  const Backend backend(GENERATE(as<std::string>{}, "memory", "sqlite", "postgresql"));
  INFO(backend.kind());
  auto store = backend.open();
  const auto conversation = store->create("alice", "helper");
  CHECK(conversation.id.size() == 36);
  CHECK(conversation.message_count == 0);

  Message assistant = full_message("m2", "assistant");
  assistant.interrupted = true;
  assistant.provider = "offline";
  assistant.model = "echo-1";
  assistant.tool_calls = R"([{"id":"c1","name":"search","arguments":"{}"}])";
  Message tool = full_message("m3", "tool");
  tool.tool_call_id = "c1";
  store->append(conversation.id, {full_message("m1", "user"), assistant});
  const auto after = store->append(conversation.id, {tool, full_message("m4", "system")});
  CHECK(after.message_count == 4);
  CHECK(after.user_id == "alice");
  CHECK(after.agent_id == "helper");
  CHECK(after.updated_at_ms >= conversation.created_at_ms);

  const auto found = store->find(conversation.id);
  REQUIRE(found);
  CHECK(found->message_count == 4);
  CHECK(found->created_at_ms == conversation.created_at_ms);
  CHECK_FALSE(store->find("00000000-0000-0000-0000-000000000000"));

  const auto all = store->messages(conversation.id);
  REQUIRE(all.size() == 4);
  CHECK(all[0].id == "m1");
  CHECK(all[0].role == "user");
  CHECK(all[0].content == "text m1");
  CHECK(all[0].tokens == 7);
  CHECK(all[0].created_at_ms == 1700000000123);
  CHECK_FALSE(all[0].interrupted);
  CHECK(all[0].provider.empty());
  CHECK(all[1].interrupted);
  CHECK(all[1].provider == "offline");
  CHECK(all[1].model == "echo-1");
  CHECK(all[1].tool_calls == assistant.tool_calls);
  CHECK(all[2].role == "tool");
  CHECK(all[2].tool_call_id == "c1");
  CHECK(all[3].role == "system");

  const auto recent = store->recent_messages(conversation.id, 3);
  REQUIRE(recent.size() == 3);
  CHECK(recent.front().id == "m2");
  CHECK(recent.back().id == "m4");
  CHECK(store->recent_messages(conversation.id, 10).size() == 4);
  CHECK_THROWS_AS(
      store->append("00000000-0000-0000-0000-000000000000", {full_message("x", "user")}),
      std::out_of_range);
}

TEST_CASE("every store writes a first turn as one: the conversation with its messages, or nothing",
          "[store][contract]") {
  const Backend backend(GENERATE(as<std::string>{}, "memory", "sqlite", "postgresql"));
  INFO(backend.kind());
  auto store = backend.open();
  const auto first = store->create_with_messages(
      "alice", "helper", "acme", {full_message("f1", "user"), full_message("f2", "assistant")});
  CHECK(first.id.size() == 36);
  CHECK(first.message_count == 2);
  CHECK(first.user_id == "alice");
  CHECK(first.agent_id == "helper");
  CHECK(first.tenant == "acme");
  CHECK(first.updated_at_ms >= first.created_at_ms);
  const auto found = store->find(first.id);
  REQUIRE(found);
  CHECK(found->message_count == 2);
  CHECK(found->created_at_ms == first.created_at_ms);
  const auto all = store->messages(first.id);
  REQUIRE(all.size() == 2);
  CHECK(all[0].id == "f1");
  CHECK(all[1].id == "f2");
  CHECK(all[1].content == "text f2");
  // The next turn appends after the first one's messages.
  CHECK(store->append(first.id, {full_message("f3", "user")}).message_count == 3);
  CHECK(store->list({"alice", "", 10, "", std::string("acme")}).items.size() == 1);

  if (backend.durable()) {
    // A message id already stored: the messages fail, and the conversation is not kept either.
    CHECK_THROWS(store->create_with_messages(
        "bob", "helper", "", {full_message("b1", "user"), full_message("f1", "assistant")}));
    CHECK(store->list({"bob", "", 10, "", std::nullopt}).items.empty());
    CHECK(store->create_with_messages("bob", "helper", "", {full_message("b1", "user")})
              .message_count == 1);
  }
}

TEST_CASE("every store pages messages with opaque cursors and refuses forged ones",
          "[store][contract]") {
  const Backend backend(GENERATE(as<std::string>{}, "memory", "sqlite", "postgresql"));
  INFO(backend.kind());
  auto store = backend.open();
  const auto conversation = store->create("alice", "helper");
  for (int i = 1; i <= 5; ++i) {
    store->append(conversation.id, {full_message("m" + std::to_string(i), "user")});
  }
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    const auto page = store->message_page(conversation.id, 2, cursor);
    for (const auto& message : page.items) seen.push_back(message.id);
    cursor = page.next_cursor;
    ++pages;
  } while (!cursor.empty());
  CHECK(pages == 3);
  CHECK(seen == std::vector<std::string>{"m1", "m2", "m3", "m4", "m5"});
  // A page that ends exactly at the last message says so: no cursor to an empty page.
  CHECK(store->message_page(conversation.id, 5, "").next_cursor.empty());
  CHECK(store->message_page("00000000-0000-0000-0000-000000000000", 5, "").items.empty());
  CHECK_THROWS_AS(store->message_page(conversation.id, 2, "zz"), InvalidCursorError);
  CHECK_THROWS_AS(store->message_page(conversation.id, 2, "6d3a2d31"), InvalidCursorError);
  store->create("alice", "helper");  // two conversations: a listing of one per page has a cursor
  const std::string list_cursor = store->list({"alice", "", 1, "", std::nullopt}).next_cursor;
  REQUIRE_FALSE(list_cursor.empty());
  CHECK_THROWS_AS(store->message_page(conversation.id, 2, list_cursor), InvalidCursorError);
}

TEST_CASE("every store lists a user's conversations newest first, by agent, in pages",
          "[store][contract]") {
  const Backend backend(GENERATE(as<std::string>{}, "memory", "sqlite", "postgresql"));
  INFO(backend.kind());
  auto store = backend.open();
  std::vector<std::string> helper_ids;
  for (int i = 0; i < 5; ++i) {
    helper_ids.push_back(store->create("alice", "helper").id);
    // Distinct creation times make "newest first" observable.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const auto other_agent = store->create("alice", "writer");
  store->create("bob", "helper");

  std::vector<std::string> listed;
  std::string cursor;
  do {
    const auto page = store->list({"alice", "helper", 2, cursor, std::nullopt});
    CHECK(page.items.size() <= 2);
    for (const auto& conversation : page.items) {
      CHECK(conversation.user_id == "alice");
      CHECK(conversation.agent_id == "helper");
      listed.push_back(conversation.id);
    }
    cursor = page.next_cursor;
  } while (!cursor.empty());
  CHECK(listed == std::vector<std::string>(helper_ids.rbegin(), helper_ids.rend()));

  const auto every_agent = store->list({"alice", "", 100, "", std::nullopt});
  REQUIRE(every_agent.items.size() == 6);
  CHECK(every_agent.items.front().id == other_agent.id);
  CHECK(every_agent.next_cursor.empty());
  CHECK(store->list({"carol", "", 10, "", std::nullopt}).items.empty());
  CHECK_THROWS_AS(store->list({"alice", "", 10, "not-a-cursor", std::nullopt}), InvalidCursorError);
}

TEST_CASE("every store deletes a conversation with its messages", "[store][contract]") {
  const Backend backend(GENERATE(as<std::string>{}, "memory", "sqlite", "postgresql"));
  INFO(backend.kind());
  auto store = backend.open();
  const auto doomed = store->create("alice", "helper");
  const auto kept = store->create("alice", "helper");
  store->append(doomed.id, {full_message("d1", "user"), full_message("d2", "assistant")});
  store->append(kept.id, {full_message("k1", "user")});
  CHECK(store->remove(doomed.id));
  CHECK_FALSE(store->find(doomed.id));
  CHECK(store->messages(doomed.id).empty());
  CHECK_FALSE(store->remove(doomed.id));
  CHECK_THROWS_AS(store->append(doomed.id, {full_message("d3", "user")}), std::out_of_range);
  CHECK(store->messages(kept.id).size() == 1);
  CHECK(store->list({"alice", "", 10, "", std::nullopt}).items.size() == 1);
}

TEST_CASE(
    "concurrent appends to one conversation, from one or two store instances, keep pairs "
    "together and count every message",
    "[store][contract]") {
  const Backend backend(GENERATE(as<std::string>{}, "memory", "sqlite", "postgresql"));
  INFO(backend.kind());
  auto first = backend.open();
  // A durable database shared by two instances stands for two hosts.
  auto second = backend.durable() ? backend.open() : nullptr;
  ConversationStore& other = second ? *second : *first;
  const auto conversation = first->create("alice", "helper");
  constexpr int kThreads = 6;
  constexpr int kTurns = 10;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ConversationStore& store = t % 2 == 0 ? *first : other;
      for (int i = 0; i < kTurns; ++i) {
        const std::string tag = std::to_string(t) + "-" + std::to_string(i);
        store.append(conversation.id,
                     {full_message("q" + tag, "user"), full_message("a" + tag, "assistant")});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto all = first->messages(conversation.id);
  REQUIRE(all.size() == 2 * kThreads * kTurns);
  CHECK(first->find(conversation.id)->message_count == 2 * kThreads * kTurns);
  for (std::size_t i = 0; i < all.size(); i += 2) {
    CHECK(all[i].id.substr(1) == all[i + 1].id.substr(1));  // a turn's two messages stay adjacent
  }
}

TEST_CASE("a durable store keeps everything across reopening and refuses a half-stored append",
          "[store][contract]") {
  const Backend backend(GENERATE(as<std::string>{}, "sqlite", "postgresql"));
  INFO(backend.kind());
  std::string id;
  {
    auto store = backend.open();
    id = store->create("alice", "helper").id;
    store->append(id, {full_message("m1", "user"), full_message("m2", "assistant")});
    // The second message reuses an id: the append fails as a whole.
    CHECK_THROWS(store->append(id, {full_message("m3", "user"), full_message("m1", "assistant")}));
  }
  auto reopened = backend.open();
  const auto all = reopened->messages(id);
  REQUIRE(all.size() == 2);
  CHECK(all[1].id == "m2");
  CHECK(reopened->find(id)->message_count == 2);
  reopened->append(id, {full_message("m3", "user")});
  CHECK(reopened->find(id)->message_count == 3);
}

TEST_CASE("a database with a newer schema than the binary is refused, naming both versions",
          "[store][contract]") {
  const Backend backend(GENERATE(as<std::string>{}, "sqlite", "postgresql"));
  INFO(backend.kind());
  backend.open();  // creates the schema at the current version
  backend.raw_session() << "INSERT INTO schema_version (version, applied_at) VALUES (999, 0)", now;
  try {
    backend.open();
    FAIL("a newer database was opened");
  } catch (const StoreOpenError& e) {
    const std::string message = e.what();
    CHECK_THAT(message, Catch::Contains("schema version 999"));
    CHECK_THAT(message, Catch::Contains("the " + std::to_string(latest_schema_version()) +
                                        " this agent-host"));
  }
}

TEST_CASE("every store records a conversation's tenant and lists one tenant's or every tenant's",
          "[store][contract]") {
  const Backend backend(GENERATE(as<std::string>{}, "memory", "sqlite", "postgresql"));
  INFO(backend.kind());
  auto store = backend.open();
  const auto in_acme = store->create("alice", "helper", "acme");
  const auto in_globex = store->create("alice", "helper", "globex");
  const auto untenanted = store->create("alice", "helper");
  CHECK(in_acme.tenant == "acme");
  CHECK(store->find(in_acme.id)->tenant == "acme");
  CHECK(store->find(untenanted.id)->tenant.empty());
  // append answers the conversation as it is after: the tenant is part of it.
  CHECK(store->append(in_globex.id, {full_message("g1", "user")}).tenant == "globex");

  ConversationQuery acme{"alice", "", 10, "", std::string("acme")};
  const auto acme_page = store->list(acme);
  REQUIRE(acme_page.items.size() == 1);
  CHECK(acme_page.items.front().id == in_acme.id);
  acme.agent_id = "helper";
  CHECK(store->list(acme).items.size() == 1);
  acme.agent_id = "writer";
  CHECK(store->list(acme).items.empty());
  CHECK(store->list({"alice", "", 10, "", std::string("")}).items.front().id == untenanted.id);
  CHECK(store->list({"alice", "", 10, "", std::string("initech")}).items.empty());
  CHECK(store->list({"alice", "", 10, "", std::nullopt}).items.size() == 3);  // any tenant
}

TEST_CASE("a database at schema version 1 is migrated: its conversations get the empty tenant",
          "[store][contract]") {
  const Backend backend(GENERATE(as<std::string>{}, "sqlite", "postgresql"));
  INFO(backend.kind());
  {
    auto session = backend.raw_session_at_version(1);
    session << "INSERT INTO users (user_id, created_at, last_active) VALUES ('alice', 1, 1)", now;
    session << "INSERT INTO conversations (conversation_id, user_id, agent_id, created_at, "
               "updated_at, message_count) VALUES ('c0ffee00-0000-4000-8000-000000000000', "
               "'alice', 'helper', 1, 1, 0)",
        now;
  }
  auto store = backend.open();
  const auto old = store->find("c0ffee00-0000-4000-8000-000000000000");
  REQUIRE(old);
  CHECK(old->tenant.empty());
  CHECK(store->list({"alice", "", 10, "", std::string("")}).items.size() == 1);
  CHECK(store->create("alice", "helper", "acme").tenant == "acme");
}

TEST_CASE("a user id in two tenants is two users, each with its own row", "[store][contract]") {
  const Backend backend(GENERATE(as<std::string>{}, "sqlite", "postgresql"));
  INFO(backend.kind());
  auto store = backend.open();
  store->create("alice", "helper", "acme");
  store->create("alice", "helper", "acme");  // the same user again: still one row
  store->create("alice", "helper", "globex");
  store->create_with_messages("alice", "helper", "", {full_message("m1", "user")});
  CHECK(backend.users() == std::vector<std::string>{"/alice", "acme/alice", "globex/alice"});
}

TEST_CASE(
    "a database at schema version 2 is migrated: users are per tenant, conversations and messages "
    "are kept",
    "[store][contract]") {
  const Backend backend(GENERATE(as<std::string>{}, "sqlite", "postgresql"));
  INFO(backend.kind());
  {
    // Version 2: one users row per user id, whatever the tenants of its conversations.
    auto session = backend.raw_session_at_version(2);
    session << "INSERT INTO users (user_id, created_at, last_active) VALUES ('alice', 5, 7)", now;
    session << "INSERT INTO users (user_id, created_at, last_active) VALUES ('carol', 1, 1)", now;
    int n = 0;
    for (const char* tenant : {"acme", "globex", "acme"}) {
      const std::string id = "c0ffee00-0000-4000-8000-00000000000" + std::to_string(++n);
      session << "INSERT INTO conversations (conversation_id, user_id, agent_id, created_at, "
                 "updated_at, message_count, tenant) VALUES ($1, 'alice', 'helper', $2, $2, 1, $3)",
          Poco::Data::Keywords::bind(id), Poco::Data::Keywords::bind(n),
          Poco::Data::Keywords::bind(std::string(tenant)), now;
      session << "INSERT INTO messages (message_id, conversation_id, seq, role, content, "
                 "created_at) VALUES ($1, $2, 1, 'user', 'kept', 1)",
          Poco::Data::Keywords::bind("m" + std::to_string(n)), Poco::Data::Keywords::bind(id), now;
    }
  }
  auto store = backend.open();
  CHECK(latest_schema_version() == 3);
  // The old row stays as the '' tenant's; each tenant with conversations gets its own.
  CHECK(backend.users() ==
        std::vector<std::string>{"/alice", "/carol", "acme/alice", "globex/alice"});
  const auto acme = store->list({"alice", "", 10, "", std::string("acme")}).items;
  REQUIRE(acme.size() == 2);
  const auto kept = store->messages(acme.front().id);
  REQUIRE(kept.size() == 1);
  CHECK(kept.front().content == "kept");
  // Writes after the migration use the new key.
  const auto added =
      store->create_with_messages("alice", "helper", "initech", {full_message("m9", "user")});
  CHECK(store->append(added.id, {full_message("m10", "assistant")}).message_count == 2);
  CHECK(backend.users().size() == 5);
  CHECK(store->remove(acme.back().id));
}
