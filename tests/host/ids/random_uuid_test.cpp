#include "ids/random_uuid.h"

#include <catch2/catch.hpp>
#include <regex>
#include <set>

using agent_host::ids::random_uuid;

TEST_CASE("random ids are version 4 UUIDs in lower-case hex", "[ids]") {
  const std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (int i = 0; i < 100; ++i) {
    const std::string id = random_uuid();
    INFO(id);
    CHECK(std::regex_match(id, shape));
  }
}

TEST_CASE("random ids do not repeat", "[ids]") {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(random_uuid());
  CHECK(seen.size() == 10000);
}
