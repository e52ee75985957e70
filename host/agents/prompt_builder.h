// Turns an agent's personality and domain, the bounded history and the new message into the
// message list a provider receives.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/conversation_store.h"

namespace agent_host::agents {

// The system prompt: personality prompt, domain prompt and domain knowledge, in that order.
std::string build_system_prompt(const nlohmann::json& persona, const nlohmann::json& domain);

// [system, ...history, user]. A non-empty `context` object is given to the model as a second
// system message, so client data never mixes with the agent's own instructions.
nlohmann::json build_messages(const std::string& system_prompt,
                              const std::vector<store::Message>& history,
                              const std::string& user_message, const nlohmann::json& context);

}  // namespace agent_host::agents
