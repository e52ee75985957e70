// A stored message with the fields most tests care about.
#pragma once

#include <cstdint>

#include "store/conversation_store.h"

namespace agent_test {

inline agent_host::store::Message stored_message(const char* id, const char* role,
                                                 const char* content, std::int64_t tokens) {
  agent_host::store::Message message;
  message.id = id;
  message.role = role;
  message.content = content;
  message.tokens = tokens;
  return message;
}

}  // namespace agent_test
