#include "plugins/plugin_signature.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Crypto/ECDSADigestEngine.h>
#include <Poco/Crypto/ECKey.h>
#include <Poco/Crypto/RSADigestEngine.h>
#include <Poco/Crypto/RSAKey.h>
#include <Poco/Exception.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <variant>

namespace agent_host::plugins {
namespace {

using Key = std::variant<Poco::Crypto::RSAKey, Poco::Crypto::ECKey>;

// RSA first, then EC: Poco has one class per algorithm and no way to ask a PEM which it is.
Key read_key(const std::filesystem::path& file, bool is_private) {
  if (!std::filesystem::is_regular_file(file)) {
    throw std::runtime_error("cannot read the key " + file.string());
  }
  const std::string pub = is_private ? "" : file.string();
  const std::string priv = is_private ? file.string() : "";
  try {
    return Poco::Crypto::RSAKey(pub, priv);
  } catch (const Poco::Exception&) {
  }
  try {
    return Poco::Crypto::ECKey(pub, priv);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("cannot read the " + std::string(is_private ? "private" : "public") +
                             " key " + file.string() +
                             " (PEM RSA or EC expected): " + e.displayText());
  }
}

bool verifies(const Key& key, const std::string& data, const Poco::DigestEngine::Digest& sig) {
  return std::visit(
      [&](const auto& k) {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, Poco::Crypto::RSAKey>) {
          Poco::Crypto::RSADigestEngine engine(k, "SHA256");
          engine.update(data.data(), static_cast<unsigned>(data.size()));
          return engine.verify(sig);
        } else {
          Poco::Crypto::ECDSADigestEngine engine(k, "SHA256");
          engine.update(data.data(), static_cast<unsigned>(data.size()));
          return engine.verify(sig);
        }
      },
      key);
}

}  // namespace

struct SignatureVerifier::Keys {
  std::vector<Key> keys;
};

std::filesystem::path signature_file(const std::filesystem::path& plugin_file) {
  return plugin_file.string() + ".sig";
}

SignatureVerifier::SignatureVerifier(const std::vector<std::filesystem::path>& public_keys)
    : keys_(std::make_unique<Keys>()) {
  for (const auto& file : public_keys) keys_->keys.push_back(read_key(file, false));
}

SignatureVerifier::~SignatureVerifier() = default;
SignatureVerifier::SignatureVerifier(SignatureVerifier&&) noexcept = default;
SignatureVerifier& SignatureVerifier::operator=(SignatureVerifier&&) noexcept = default;

std::optional<std::string> SignatureVerifier::check(const PluginBytes& bytes,
                                                    const std::filesystem::path& signature) const {
  std::ifstream in(signature, std::ios::binary);
  if (!in) {
    return "unsigned: trusted keys are configured and " + signature.filename().string() +
           " is missing (sign it with agent-host sign-plugin)";
  }
  Poco::DigestEngine::Digest sig;
  try {
    Poco::Base64Decoder decoder(in);
    sig.assign(std::istreambuf_iterator<char>(decoder), std::istreambuf_iterator<char>());
  } catch (const Poco::Exception& e) {
    return "signature file " + signature.filename().string() + " is not base64: " + e.displayText();
  }
  if (sig.empty()) return "signature file " + signature.filename().string() + " is empty";
  for (const Key& key : keys_->keys) {
    try {
      if (verifies(key, bytes.data, sig)) return std::nullopt;
    } catch (const Poco::Exception&) {
      // A malformed signature for this key type: try the next key.
    }
  }
  return "bad signature: no trusted key verifies " + signature.filename().string();
}

std::string sign_plugin_bytes(const std::string& data, const std::filesystem::path& private_key) {
  const Key key = read_key(private_key, true);
  const Poco::DigestEngine::Digest sig = std::visit(
      [&](const auto& k) {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, Poco::Crypto::RSAKey>) {
          Poco::Crypto::RSADigestEngine engine(k, "SHA256");
          engine.update(data.data(), static_cast<unsigned>(data.size()));
          return engine.signature();
        } else {
          Poco::Crypto::ECDSADigestEngine engine(k, "SHA256");
          engine.update(data.data(), static_cast<unsigned>(data.size()));
          return engine.signature();
        }
      },
      key);
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.write(reinterpret_cast<const char*>(sig.data()),
                static_cast<std::streamsize>(sig.size()));
  encoder.close();
  return out.str() + "\n";
}

}  // namespace agent_host::plugins
