#include "plugins/abi_version.h"

#include <catch2/catch.hpp>

using namespace agent_host::plugins;

TEST_CASE("equal major and plugin minor <= host minor are compatible", "[plugins][abi]") {
  CHECK_FALSE(abi_incompatibility({1, 0}, {1, 0}));
  CHECK_FALSE(abi_incompatibility({1, 0}, {1, 3}));
  CHECK_FALSE(abi_incompatibility({1, 3}, {1, 3}));
}

TEST_CASE("a different major is incompatible either way", "[plugins][abi]") {
  CHECK(abi_incompatibility({2, 0}, {1, 0}));
  CHECK(abi_incompatibility({0, 9}, {1, 0}));
  CHECK_THAT(*abi_incompatibility({2, 1}, {1, 4}),
             Catch::Contains("2.1") && Catch::Contains("1.4"));
}

TEST_CASE("a newer plugin minor is incompatible", "[plugins][abi]") {
  REQUIRE(abi_incompatibility({1, 4}, {1, 3}));
  CHECK_THAT(*abi_incompatibility({1, 4}, {1, 3}), Catch::Contains("newer host"));
}

TEST_CASE("entry symbol majors are read from exported names", "[plugins][abi]") {
  CHECK(entry_majors({"agent_plugin_entry_v1"}) == std::vector<std::uint16_t>{1});
  CHECK(entry_majors({"foo", "agent_plugin_entry_v12", "agent_plugin_entry_vx"}) ==
        std::vector<std::uint16_t>{12});
  CHECK(entry_majors({"agent_plugin_entry_v", "agent_plugin_entry_v2a"}).empty());
}
