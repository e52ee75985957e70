// Builds the conversation store the config names.
#pragma once

#include <memory>

#include "plugins/secret_store.h"
#include "store/conversation_store.h"
#include "store/store_config.h"

namespace agent_host::store {

// Throws StoreOpenError when a durable store cannot be opened (the host must not start then).
std::unique_ptr<ConversationStore> make_conversation_store(const StoreConfig& config,
                                                           const plugins::SecretStore& secrets);

}  // namespace agent_host::store
