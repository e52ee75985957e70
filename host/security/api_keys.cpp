#include "security/api_keys.h"

#include <Poco/Base64Encoder.h>
#include <Poco/SHA2Engine.h>
#include <openssl/crypto.h>

#include <sstream>
#include <stdexcept>

#include "ids/random_bytes.h"

namespace agent_host::security {
namespace {

KeyDigest sha256(std::string_view text) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(text.data(), static_cast<unsigned>(text.size()));
  const auto& digest = engine.digest();
  KeyDigest out{};
  std::copy(digest.begin(), digest.end(), out.begin());
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string hash_api_key(std::string_view key) {
  if (key.size() < kMinApiKeyLength) {
    throw std::invalid_argument("an API key must be at least " + std::to_string(kMinApiKeyLength) +
                                " characters (use --generate for a random one)");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "sha256:";
  for (const std::uint8_t byte : sha256(key)) {
    text += kHex[byte >> 4];
    text += kHex[byte & 0x0f];
  }
  return text;
}

std::string generate_api_key() {
  std::array<std::uint8_t, 32> bytes{};
  ids::random_bytes(bytes.data(), bytes.size());
  std::ostringstream out;
  {
    Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    encoder.rdbuf()->setLineLength(0);
    encoder.write(reinterpret_cast<const char*>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
    encoder.close();
  }
  return "ahk_" + out.str();
}

KeyDigest parse_key_digest(std::string_view text) {
  constexpr std::string_view kPrefix = "sha256:";
  if (text.substr(0, kPrefix.size()) != kPrefix || text.size() != kPrefix.size() + 64) {
    throw std::invalid_argument(
        "must be \"sha256:<64 hex digits>\" (agent-host hash-key prints it)");
  }
  KeyDigest digest{};
  for (std::size_t i = 0; i < digest.size(); ++i) {
    const int high = hex_value(text[kPrefix.size() + 2 * i]);
    const int low = hex_value(text[kPrefix.size() + 2 * i + 1]);
    if (high < 0 || low < 0) {
      throw std::invalid_argument("must be \"sha256:<64 hex digits>\": not a hex digit");
    }
    digest[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return digest;
}

ApiKeyTable::ApiKeyTable(std::vector<ApiKey> keys) : keys_(std::move(keys)) {}

std::optional<Principal> ApiKeyTable::find(std::string_view presented) const {
  const KeyDigest digest = sha256(presented);
  const ApiKey* match = nullptr;
  for (const ApiKey& key : keys_) {
    if (CRYPTO_memcmp(key.digest.data(), digest.data(), digest.size()) == 0) match = &key;
  }
  if (match == nullptr) return std::nullopt;
  return match->principal;
}

}  // namespace agent_host::security
