// A conversation as every ConversationStore creates it, so the stores cannot drift apart on what
// a new conversation holds.
#pragma once

#include <string>

#include "ids/random_uuid.h"
#include "store/conversation_store.h"
#include "store/wall_clock.h"

namespace agent_host::store {

// A fresh id, its owner, agent and tenant, created and updated now, no messages yet.
inline Conversation new_conversation(const std::string& user_id, const std::string& agent_id,
                                     const std::string& tenant) {
  Conversation conversation;
  conversation.id = ids::random_uuid();
  conversation.user_id = user_id;
  conversation.agent_id = agent_id;
  conversation.tenant = tenant;
  conversation.created_at_ms = conversation.updated_at_ms = wall_clock_ms();
  return conversation;
}

}  // namespace agent_host::store
