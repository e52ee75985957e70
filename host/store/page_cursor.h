// Opaque pagination cursors: where the next page starts, hex-encoded so clients treat them as
// tokens rather than something to build by hand. Every store uses the same positions (a
// message's sequence number in its conversation; a conversation's creation time and id).
#pragma once

#include <cstdint>
#include <string>

namespace agent_host::store {

struct ConversationPosition {
  std::int64_t created_at_ms = 0;
  std::string id;
};

std::string message_cursor(std::int64_t after_seq);
// Throws InvalidCursorError for anything message_cursor did not produce.
std::int64_t parse_message_cursor(const std::string& cursor);

std::string conversation_cursor(const ConversationPosition& after);
ConversationPosition parse_conversation_cursor(const std::string& cursor);

}  // namespace agent_host::store
