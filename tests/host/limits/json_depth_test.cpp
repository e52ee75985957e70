#include "limits/json_depth.h"

#include <catch2/catch.hpp>
#include <string>

using agent_host::limits::json_too_deep_at;

TEST_CASE("the JSON depth scan finds where nesting passes the cap and ignores brackets in strings",
          "[limits][json]") {
  CHECK_FALSE(json_too_deep_at(R"({"a": [1, {"b": [2]}]})", 4).has_value());
  CHECK(json_too_deep_at(R"({"a": [1, {"b": [2]}]})", 3) == 16u);
  CHECK(json_too_deep_at(R"({"a": [1, {"b": [2]}]})", 2) == 10u);
  CHECK_FALSE(json_too_deep_at(R"({"s": "[[[[[[[[[[\"[[[["})", 1).has_value());
  const std::string deep = std::string(65, '[') + std::string(65, ']');
  CHECK(json_too_deep_at(deep) == 64u);
  const std::string ok = std::string(64, '[') + std::string(64, ']');
  CHECK_FALSE(json_too_deep_at(ok).has_value());
}
