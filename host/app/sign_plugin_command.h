// `agent-host sign-plugin --key private.pem FILE.so`: writes FILE.so.sig, the detached signature
// a host with plugins.trusted_keys requires (see plugins/plugin_signature.h).
#pragma once

#include <filesystem>
#include <ostream>

namespace agent_host::app {

// Exit code 0 when the signature was written, 1 otherwise (the reason on `err`).
int sign_plugin(const std::filesystem::path& file, const std::filesystem::path& private_key,
                std::ostream& out, std::ostream& err);

}  // namespace agent_host::app
