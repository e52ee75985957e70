// Where conversations and their messages live. Handlers and the turn pipeline only see this
// interface; the in-process implementation is the default until the durable stores land.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace agent_host::store {

struct Message {
  std::string id;
  std::string role;  // "user", "assistant" or "tool" (a tool's result, fed back to the model)
  std::string content;
  std::int64_t tokens = 0;  // tokens this message cost (prompt for user, completion for assistant)
  std::int64_t created_at_ms = 0;
  // Assistant messages: the answer stopped early because the client went away (streaming); the
  // content is what had been generated until then.
  bool interrupted = false;
  std::string provider;      // assistant messages: the provider plugin that answered
  std::string model;         // assistant messages: the model the provider reported
  std::string tool_calls;    // assistant messages: JSON array of tool calls, "" when none
  std::string tool_call_id;  // tool messages: the id of the call (in tool_calls) it answers
};

struct Conversation {
  std::string id;
  std::string user_id;
  std::string agent_id;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t message_count = 0;
};

// The store cannot take more data (a capacity limit, a full disk). Maps to 507/503.
class StoreFullError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ConversationStore {
 public:
  virtual ~ConversationStore() = default;

  virtual std::optional<Conversation> find(const std::string& conversation_id) const = 0;
  // Creates an empty conversation with a fresh id. Throws StoreFullError at capacity.
  virtual Conversation create(const std::string& user_id, const std::string& agent_id) = 0;
  // The last `limit` messages, oldest first.
  virtual std::vector<Message> recent_messages(const std::string& conversation_id,
                                               std::size_t limit) const = 0;
  // Every message, oldest first.
  virtual std::vector<Message> messages(const std::string& conversation_id) const = 0;
  // Appends `messages` atomically (all or none) and returns the conversation as it is after.
  // Throws std::out_of_range for an unknown conversation, StoreFullError at capacity.
  virtual Conversation append(const std::string& conversation_id,
                              const std::vector<Message>& messages) = 0;
};

}  // namespace agent_host::store
