#include "security/api_keys.h"

#include <catch2/catch.hpp>

using namespace agent_host::security;

namespace {

ApiKey key_for(const std::string& id, const std::string& key, const std::string& tenant) {
  ApiKey entry;
  entry.id = id;
  entry.digest = parse_key_digest(hash_api_key(key));
  entry.principal = {id + "-user", tenant, {"user"}, "key:" + id};
  return entry;
}

}  // namespace

TEST_CASE("an API key hashes to sha256 hex and only that key finds its principal",
          "[security][api_keys]") {
  const std::string alice = "alice-key-0123456789abcdef0123456789";
  const std::string bob = "bob-key-0123456789abcdef0123456789ab";
  // The SHA-256 of the key, as `printf %s KEY | sha256sum` prints it.
  CHECK(hash_api_key("0123456789abcdef0123456789abcdef") ==
        "sha256:3eb1bd439947eb762998e566ccc2e099c791118b2f40579cc4f7da2b5061b7f9");
  const ApiKeyTable table({key_for("a", alice, "acme"), key_for("b", bob, "globex")});
  const auto found = table.find(alice);
  REQUIRE(found);
  CHECK(found->tenant == "acme");
  CHECK(found->credential == "key:a");
  CHECK(table.find(bob)->tenant == "globex");
  CHECK_FALSE(table.find(alice + "x"));
  CHECK_FALSE(table.find(""));
  CHECK_FALSE(ApiKeyTable().find(alice));
}

TEST_CASE("a short API key is refused and malformed digests are named", "[security][api_keys]") {
  CHECK_THROWS_WITH(hash_api_key("short"), Catch::Contains("at least 32 characters"));
  CHECK_THROWS_AS(parse_key_digest("md5:abcd"), std::invalid_argument);
  CHECK_THROWS_AS(parse_key_digest("sha256:" + std::string(63, 'a')), std::invalid_argument);
  CHECK_THROWS_AS(parse_key_digest("sha256:" + std::string(63, 'a') + "g"), std::invalid_argument);
  CHECK_NOTHROW(parse_key_digest("sha256:" + std::string(64, 'A')));
}

TEST_CASE("generated API keys are long, random and hashable", "[security][api_keys]") {
  const std::string first = generate_api_key();
  const std::string second = generate_api_key();
  CHECK(first.rfind("ahk_", 0) == 0);
  CHECK(first.size() == 4 + 43);
  CHECK(first != second);
  CHECK(first.find_first_of("+/=") == std::string::npos);  // safe in headers and shells
  CHECK_NOTHROW(parse_key_digest(hash_api_key(first)));
}
