// `agent-host hash-key`: reads an API key on standard input (so it stays out of the shell history
// and the process list) and prints the "sha256:<hex>" to put in auth.api_keys[].hash.
// `agent-host hash-key --generate` makes a new random key and prints it with its hash.
#pragma once

#include <istream>
#include <ostream>

namespace agent_host::app {

// Exit code 0 on success, 1 when the key is too short or missing (the reason on `err`).
int hash_key(bool generate, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace agent_host::app
