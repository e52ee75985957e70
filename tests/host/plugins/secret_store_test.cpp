#include "plugins/secret_store.h"

#include <catch2/catch.hpp>
#include <cstdlib>

#include "support/temp_dir.h"

using namespace agent_host::plugins;

TEST_CASE("secrets come only from configured sources", "[plugins][secrets]") {
  agent_test::TempDir dir;
  const auto file = dir.write("key.txt", "from-file\n");
  setenv("AGENT_TEST_SECRET_VAR", "from-env", 1);
  setenv("AGENT_TEST_UNMAPPED", "should-not-leak", 1);
  SecretStore store({{"a", {SecretSource::Type::env, "AGENT_TEST_SECRET_VAR"}},
                     {"b", {SecretSource::Type::file, file.string()}},
                     {"c", {SecretSource::Type::value, "inline"}},
                     {"d", {SecretSource::Type::env, "AGENT_TEST_NOT_SET_ANYWHERE"}}});
  CHECK(store.get("a") == "from-env");
  CHECK(store.get("b") == "from-file");  // trailing newline trimmed
  CHECK(store.get("c") == "inline");
  CHECK_FALSE(store.get("d"));
  // An environment variable is never readable by its own name unless mapped.
  CHECK_FALSE(store.get("AGENT_TEST_UNMAPPED"));
}
