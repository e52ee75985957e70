#include "plugins/manifest.h"

#include <catch2/catch.hpp>

using agent_host::plugins::parse_manifest;

TEST_CASE("a manifest keeps description, capabilities, schema and unknown keys",
          "[plugins][manifest]") {
  const auto manifest = parse_manifest(
      R"({"description":"d","capabilities":["a","b"],"config_schema":{"type":"object"},"x":1})");
  CHECK(manifest.description == "d");
  CHECK(manifest.capabilities == std::vector<std::string>{"a", "b"});
  CHECK(manifest.config_schema["type"] == "object");
  CHECK(manifest.raw["x"] == 1);
}

TEST_CASE("malformed manifests are rejected with the reason", "[plugins][manifest]") {
  CHECK_THROWS_WITH(parse_manifest("{"), Catch::Contains("not valid JSON"));
  // An overflowing number is nlohmann's out_of_range, not a parse_error (found by fuzzing).
  CHECK_THROWS_WITH(parse_manifest(R"({"description":"d","n":5e555555511})"),
                    Catch::Contains("not valid JSON"));
  CHECK_THROWS_WITH(parse_manifest("[]"), Catch::Contains("JSON object"));
  CHECK_THROWS_WITH(parse_manifest("{}"), Catch::Contains("description"));
  CHECK_THROWS_WITH(parse_manifest(R"({"description":""})"), Catch::Contains("description"));
  CHECK_THROWS_WITH(parse_manifest(R"({"description":"d","capabilities":"x"})"),
                    Catch::Contains("capabilities"));
  CHECK_THROWS_WITH(parse_manifest(R"({"description":"d","capabilities":[1]})"),
                    Catch::Contains("capabilities"));
  CHECK_THROWS_WITH(parse_manifest(R"({"description":"d","config_schema":[]})"),
                    Catch::Contains("config_schema"));
}
