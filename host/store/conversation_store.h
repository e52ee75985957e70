// Where conversations and their messages live. Handlers and the turn pipeline only see this
// interface; host/store/store_factory.h picks the implementation the config names (in-process,
// SQLite or PostgreSQL).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace agent_host::store {

struct Message {
  std::string id;
  std::string role;  // "user", "assistant", "tool" or "system"
  std::string content;
  std::int64_t tokens = 0;  // tokens this message cost (prompt for user, completion for assistant)
  std::int64_t created_at_ms = 0;
  // Assistant messages: the answer stopped early because the client went away (streaming); the
  // content is what had been generated until then.
  bool interrupted = false;
  std::string provider;      // assistant messages: the provider plugin that answered
  std::string model;         // assistant messages: the model the provider reported
  std::string tool_calls;    // assistant messages: JSON array of tool calls, "" when none
  std::string tool_call_id;  // tool messages: the call this answers
};

struct Conversation {
  std::string id;
  std::string user_id;  // the owner: the principal's subject with auth on
  std::string agent_id;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t message_count = 0;
  // The owner's tenant ("" when auth is off): with auth on, only this tenant's owner (or an
  // admin) sees the conversation. Last, so brace-initialisers of the fields above stay right.
  std::string tenant;
};

// One page of a listing; `next_cursor` is empty on the last page. Cursors are opaque to callers.
template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;
};

struct ConversationQuery {
  std::string user_id;   // required
  std::string agent_id;  // "" for every agent
  std::size_t limit = 20;
  std::string cursor;                 // "" for the first page
  std::optional<std::string> tenant;  // only this tenant's; nothing: any tenant
};

// The store cannot take more data (a capacity limit, a full disk). Maps to 507.
class StoreFullError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The store cannot be reached right now (database server down, connection lost); retrying later
// may work. Maps to 503 with Retry-After.
class StoreUnavailableError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A cursor this store did not hand out (or one from another listing). Maps to 400.
class InvalidCursorError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The store cannot be opened or its schema is unusable: the host refuses to start.
class StoreOpenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ConversationStore {
 public:
  virtual ~ConversationStore() = default;

  virtual std::optional<Conversation> find(const std::string& conversation_id) const = 0;
  // Creates an empty conversation with a fresh id. Throws StoreFullError at capacity.
  virtual Conversation create(const std::string& user_id, const std::string& agent_id,
                              const std::string& tenant = "") = 0;
  // The last `limit` messages, oldest first.
  virtual std::vector<Message> recent_messages(const std::string& conversation_id,
                                               std::size_t limit) const = 0;
  // Up to `limit` messages after `cursor` ("" = from the first), oldest first.
  virtual Page<Message> message_page(const std::string& conversation_id, std::size_t limit,
                                     const std::string& cursor) const = 0;
  // A first turn: creates a conversation with a fresh id and appends `messages` to it as one
  // write, all or none (a failed append leaves no empty conversation behind), and returns the
  // conversation as it is after. Durable like append(). Throws StoreFullError at capacity.
  virtual Conversation create_with_messages(const std::string& user_id, const std::string& agent_id,
                                            const std::string& tenant,
                                            const std::vector<Message>& messages) = 0;
  // Appends `messages` atomically (all or none) and returns the conversation as it is after.
  // When it returns, the messages are as durable as the store is (see the README).
  // Throws std::out_of_range for an unknown conversation, StoreFullError at capacity.
  virtual Conversation append(const std::string& conversation_id,
                              const std::vector<Message>& messages) = 0;
  // A user's conversations, newest first, optionally of one agent.
  virtual Page<Conversation> list(const ConversationQuery& query) const = 0;
  // Deletes a conversation and its messages; false if there was none.
  virtual bool remove(const std::string& conversation_id) = 0;

  // Every message, oldest first (walks the pages).
  std::vector<Message> messages(const std::string& conversation_id) const {
    std::vector<Message> all;
    std::string cursor;
    do {
      auto page = message_page(conversation_id, 1000, cursor);
      all.insert(all.end(), page.items.begin(), page.items.end());
      cursor = std::move(page.next_cursor);
    } while (!cursor.empty());
    return all;
  }
};

}  // namespace agent_host::store
