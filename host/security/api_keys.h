// API keys: the config holds only their SHA-256 digests ("sha256:<64 hex>"), each mapped to a
// principal. A presented key is hashed and compared with every digest in constant time.
//
// Why SHA-256 and not a slow KDF (PBKDF2, scrypt): the keys are 256-bit random strings from
// `agent-host hash-key --generate`, so there is nothing to brute-force that a slow hash would
// protect, while a deliberately slow hash on every request would hand attackers a cheap way to
// burn the host's CPU. Short keys are refused by the hash-key command for the same reason.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "security/principal.h"

namespace agent_host::security {

using KeyDigest = std::array<std::uint8_t, 32>;

// Keys shorter than this are refused by hash_api_key (a key must not be guessable).
inline constexpr std::size_t kMinApiKeyLength = 32;

struct ApiKey {
  std::string id;  // names the key in logs and as the principal's credential ("key:<id>")
  KeyDigest digest{};
  Principal principal;
};

// "sha256:<hex>" for `key`. Throws std::invalid_argument when the key is shorter than
// kMinApiKeyLength.
std::string hash_api_key(std::string_view key);
// A fresh random key: "ahk_" and 43 base64url characters (256 bits).
std::string generate_api_key();
// Parses "sha256:<64 hex>". Throws std::invalid_argument naming the expected form.
KeyDigest parse_key_digest(std::string_view text);

class ApiKeyTable {
 public:
  ApiKeyTable() = default;
  explicit ApiKeyTable(std::vector<ApiKey> keys);

  // The principal of the key whose digest matches, or nothing. Every digest is compared (no
  // early exit), each in constant time, so timing does not tell how close a guess was.
  std::optional<Principal> find(std::string_view presented) const;
  bool empty() const noexcept { return keys_.empty(); }

 private:
  std::vector<ApiKey> keys_;
};

}  // namespace agent_host::security
