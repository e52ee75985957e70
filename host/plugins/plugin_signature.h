// Detached plugin signatures: <plugin>.so.sig holds the base64 of an RSA (PKCS#1 v1.5) or ECDSA
// signature over SHA-256 of the file's bytes. When trusted public keys are configured
// (plugins.trusted_keys), a plugin loads only if one of them verifies its signature;
// `agent-host sign-plugin --key private.pem file.so` writes the .sig.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plugins/plugin_cache.h"

namespace agent_host::plugins {

// The signature file of a plugin file: "<file>.sig".
std::filesystem::path signature_file(const std::filesystem::path& plugin_file);

class SignatureVerifier {
 public:
  // Reads PEM public keys (RSA or EC). Throws std::runtime_error naming a key it cannot read.
  explicit SignatureVerifier(const std::vector<std::filesystem::path>& public_keys);
  ~SignatureVerifier();
  SignatureVerifier(SignatureVerifier&&) noexcept;
  SignatureVerifier& operator=(SignatureVerifier&&) noexcept;

  // Nothing when a trusted key verifies `bytes` against `signature`; otherwise the reason.
  std::optional<std::string> check(const PluginBytes& bytes,
                                   const std::filesystem::path& signature) const;

 private:
  struct Keys;
  std::unique_ptr<Keys> keys_;
};

// Signs `data` with a PEM private key (RSA or EC) and returns the base64 signature text.
// Throws std::runtime_error when the key cannot be read.
std::string sign_plugin_bytes(const std::string& data, const std::filesystem::path& private_key);

}  // namespace agent_host::plugins
