// agent_sdk::parse_json / dump_json: the same answers as nlohmann::json::parse / dump, faster.
// The differential fuzz target (tests/fuzz/json_codec_fuzz.cpp) explores further; these are the
// cases worth naming.
#include <agent_sdk/json_codec.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace {

using Json = nlohmann::json;

// Parses `text` with both parsers: both accept it with equal values and equal number types, or
// both refuse it.
void same_as_nlohmann(const std::string& text) {
  INFO("text: " << text);
  bool nlohmann_ok = true;
  Json expected;
  try {
    expected = Json::parse(text);
  } catch (const Json::exception&) {
    nlohmann_ok = false;
  }
  bool ours_ok = true;
  Json actual;
  try {
    actual = agent_sdk::parse_json(text);
  } catch (const Json::exception&) {
    ours_ok = false;
  }
  REQUIRE(ours_ok == nlohmann_ok);
  if (!ours_ok) return;
  CHECK(actual == expected);
  CHECK(actual.type() == expected.type());
  CHECK(agent_sdk::dump_json(actual) == expected.dump());
}

}  // namespace

TEST_CASE("parse_json accepts what nlohmann accepts, with equal values and number types",
          "[sdk][json]") {
  for (const std::string& text : std::vector<std::string>{
           "{}",
           "[]",
           "null",
           "true",
           "false",
           "0",
           "-0",
           "1",
           "-1",
           "0.5",
           "-0.0",
           "1e2",
           "1E+2",
           "1e-2",
           "123456789012",
           "18446744073709551615",
           "18446744073709551616",
           "-9223372036854775808",
           "-9223372036854775809",
           "1e-400",
           "4.9e-324",
           "  {\"a\" : [1, 2.5, \"x\", null, true, {\"b\": {}}], \"c\": \"\"}  ",
           "{\"k\": 1, \"k\": 2}",
           "{\"k\": {\"deep\": 1}, \"k\": [3]}",
           "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
           "\"\\u0000\\u001f\\u00e9\\u20AC\\uD83D\\uDE00\"",
           "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"",
           "\xEF\xBB\xBF{\"bom\": true}",
           "[[[[[[]]]]]]",
           "\t\r\n[1]\n",
       }) {
    same_as_nlohmann(text);
  }
}

TEST_CASE("parse_json refuses what nlohmann refuses", "[sdk][json]") {
  for (const std::string& text : std::vector<std::string>{
           "",
           " ",
           "{",
           "}",
           "[1,]",
           "{\"a\":1,}",
           "{\"a\"}",
           "{a:1}",
           "[1 2]",
           "01",
           "-",
           "1.",
           ".5",
           "+1",
           "1e",
           "1e+",
           "tru",
           "nul",
           "True",
           "\"abc",
           "\"\\x\"",
           "\"\\u12\"",
           "\"\\uD800\"",
           "\"\\uDC00\"",
           "\"\\uD800\\u0041\"",
           "\"a\nb\"",
           "\"\x01\"",
           "\"\xC0\xAF\"",
           "\"\xED\xA0\x80\"",
           "\"\xF4\x90\x80\x80\"",
           "\"\xE2\x82\"",
           "\"\xFF\"",
           "{} {}",
           "[1] x",
           "\xEF\xBB{}",
           "/* c */ 1",
           "NaN",
           "Infinity",
           "[1]]",
           std::string("[1,\0 2]", 7),
       }) {
    same_as_nlohmann(text);
  }
}

TEST_CASE("parse_json reports errors as nlohmann's exception types", "[sdk][json]") {
  CHECK_THROWS_AS(agent_sdk::parse_json("{\"a\": }"), Json::parse_error);
  CHECK_THROWS_WITH(agent_sdk::parse_json("[1, 2"), Catch::Contains("at byte 6"));
  // A number beyond a double's range: out_of_range 406, as nlohmann::json::parse says.
  CHECK_THROWS_AS(agent_sdk::parse_json("[1e999]"), Json::out_of_range);
  CHECK_THROWS_AS(agent_sdk::parse_json("-1e999"), Json::out_of_range);
}

TEST_CASE("parse_json refuses nesting deeper than kMaxJsonDepth and accepts it up to the bound",
          "[sdk][json]") {
  const auto nested = [](std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
  };
  CHECK(agent_sdk::parse_json(nested(agent_sdk::kMaxJsonDepth)).is_array());
  CHECK_THROWS_WITH(agent_sdk::parse_json(nested(agent_sdk::kMaxJsonDepth + 1)),
                    Catch::Contains("nesting deeper than"));
}

TEST_CASE("dump_json prints what dump prints, escapes and doubles included", "[sdk][json]") {
  Json value = {
      {"text", "line\nbreak \"quoted\" back\\slash tab\t \x01 \x1f \x7f caf\xC3\xA9"},
      {"numbers",
       {0, -1, 18446744073709551615ull, -9223372036854775807LL - 1, 0.1, 1e100, -0.0, 5.0,
        1.5e-300}},
      {"nested", {{"empty_object", Json::object()}, {"empty_array", Json::array()}}},
      {"literals", {true, false, nullptr}},
      {"", "empty key"},
  };
  CHECK(agent_sdk::dump_json(value) == value.dump());
  std::string out = "prefix:";
  agent_sdk::append_json(out, value);
  CHECK(out == "prefix:" + value.dump());
}

TEST_CASE("dump_json handles invalid UTF-8 as dump does: strict throws, replace replaces",
          "[sdk][json]") {
  const Json value = {{"bad", std::string("ok \xC3\x28 then \xFF end")}};
  CHECK_THROWS_AS(agent_sdk::dump_json(value), Json::type_error);
  const auto replace = Json::error_handler_t::replace;
  CHECK(agent_sdk::dump_json(value, replace) == value.dump(-1, ' ', false, replace));
  const auto ignore = Json::error_handler_t::ignore;
  CHECK(agent_sdk::dump_json(value, ignore) == value.dump(-1, ' ', false, ignore));
}

TEST_CASE("parse_json and dump_json round-trip a provider input with a long system prompt",
          "[sdk][json]") {
  std::string prompt;
  for (int i = 0; i < 200; ++i) prompt += "Ground every claim in data, say \"why\".\n";
  const Json input = {
      {"messages",
       {{{"role", "system"}, {"content", prompt}}, {{"role", "user"}, {"content", "hi"}}}},
      {"options", {{"temperature", 0.7}, {"max_tokens", 1024}}},
  };
  const std::string text = agent_sdk::dump_json(input);
  CHECK(text == input.dump());
  CHECK(agent_sdk::parse_json(text) == input);
}

TEST_CASE("Strings read and print the same whatever the offset of their special bytes",
          "[sdk][json]") {
  // The codec checks eight bytes at a time: put each kind of special byte at every offset of
  // strings around a word's length, with and without a tail.
  for (const std::string special :
       {"\"", "\\", "\n", "\x01", "\x7f", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}) {
    for (std::size_t length = 0; length <= 20; ++length) {
      for (std::size_t at = 0; at <= length; ++at) {
        std::string text(length, 'a');
        text.insert(at, special);
        const Json value = text;
        INFO("length " << length << " at " << at);
        REQUIRE(agent_sdk::dump_json(value) == value.dump());
        REQUIRE(agent_sdk::parse_json(value.dump()) == value);
      }
    }
  }
}
