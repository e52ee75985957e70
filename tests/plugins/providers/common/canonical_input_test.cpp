#include "common/canonical_input.hpp"

#include <catch2/catch.hpp>

#include "common/completion.hpp"

using namespace providers;
using agent_sdk::Json;

namespace {

std::string refusal(const Json& input, double max_temperature = 2.0) {
  try {
    parse_completion_input(input, max_temperature);
  } catch (const agent_sdk::Error& e) {
    CHECK(e.code() == AGENT_ERR_INVALID_INPUT);
    return e.what();
  }
  return "";
}

Json user(const std::string& text) { return {{"role", "user"}, {"content", text}}; }

}  // namespace

TEST_CASE("canonical messages, tool calls and tool results are read",
          "[plugins][providers][input]") {
  const Json input = {
      {"messages",
       {{{"role", "system"}, {"content", "Be brief."}},
        user("Weather in Paris?"),
        {{"role", "assistant"},
         {"content", nullptr},
         {"tool_calls",
          {{{"id", "call_1"}, {"name", "weather"}, {"arguments", "{\"city\":\"Paris\"}"}}}}},
        {{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "18C"}},
        {{"role", "user"},
         {"content",
          {{{"type", "text"}, {"text", "And "}}, {{"type", "text"}, {"text", "Rome?"}}}}}}},
      {"tools",
       {{{"name", "weather"},
         {"description", "Current weather"},
         {"input_schema", {{"type", "object"}, {"properties", {{"city", {{"type", "string"}}}}}}}},
        {{"name", "clock"}}}},
      {"options", {{"model", "m2"}, {"temperature", 0.5}, {"max_tokens", 64}, {"unknown", true}}},
      {"agent", {{"personality", Json::object()}}}};
  const CompletionInput parsed = parse_completion_input(input, 2.0);
  REQUIRE(parsed.messages.size() == 5);
  CHECK(parsed.messages[0].role == Role::system);
  CHECK(parsed.messages[2].role == Role::assistant);
  CHECK(parsed.messages[2].content.empty());
  REQUIRE(parsed.messages[2].tool_calls.size() == 1);
  CHECK(parsed.messages[2].tool_calls[0].id == "call_1");
  CHECK(parsed.messages[2].tool_calls[0].arguments == "{\"city\":\"Paris\"}");
  CHECK(parsed.messages[3].role == Role::tool);
  CHECK(parsed.messages[3].tool_call_id == "call_1");
  CHECK(parsed.messages[4].content == "And Rome?");
  REQUIRE(parsed.tools.size() == 2);
  CHECK(parsed.tools[0].description == "Current weather");
  CHECK(parsed.tools[1].input_schema == Json{{"type", "object"}, {"properties", Json::object()}});
  CHECK(parsed.options.model == "m2");
  CHECK(parsed.options.temperature == 0.5);
  CHECK(parsed.options.max_tokens == 64);
}

TEST_CASE("OpenAI-shaped tool calls in the history are accepted too",
          "[plugins][providers][input]") {
  const CompletionInput parsed =
      parse_completion_input({{"messages",
                               {{{"role", "assistant"},
                                 {"tool_calls",
                                  {{{"id", "c"},
                                    {"type", "function"},
                                    {"function", {{"name", "f"}, {"arguments", {{"a", 1}}}}}}}}}}}},
                             2.0);
  REQUIRE(parsed.messages[0].tool_calls.size() == 1);
  CHECK(parsed.messages[0].tool_calls[0].name == "f");
  CHECK(parsed.messages[0].tool_calls[0].arguments == "{\"a\":1}");
}

TEST_CASE("bad input is refused with INVALID_INPUT naming the place",
          "[plugins][providers][input]") {
  CHECK_THAT(refusal(Json::object()), Catch::Contains("\"messages\" must be a non-empty array"));
  CHECK_THAT(refusal({{"messages", {{{"content", "x"}}}}}),
             Catch::Contains("messages[0] needs a string \"role\""));
  CHECK_THAT(refusal({{"messages", {{{"role", "wizard"}, {"content", "x"}}}}}),
             Catch::Contains("messages[0].role must be"));
  CHECK_THAT(refusal({{"messages", {{{"role", "user"}, {"content", 5}}}}}),
             Catch::Contains("messages[0].content must be a string, null or an array"));
  CHECK_THAT(refusal({{"messages", {{{"role", "tool"}, {"content", "x"}}}}}),
             Catch::Contains("messages[0].tool_call_id must be a non-empty string"));
  CHECK_THAT(refusal({{"messages",
                       {{{"role", "user"}, {"content", "x"}, {"tool_calls", Json::array()}}}}}),
             Catch::Contains("only assistant messages have tool_calls"));
  CHECK_THAT(refusal({{"messages", {{{"role", "assistant"}, {"tool_calls", {{{"name", "f"}}}}}}}}),
             Catch::Contains("messages[0].tool_calls[0].id must be a non-empty string"));
  CHECK_THAT(refusal({{"messages", {user("x")}}, {"tools", {{{"description", "no name"}}}}}),
             Catch::Contains("tools[0].name must be a non-empty string"));
  CHECK_THAT(
      refusal({{"messages", {user("x")}}, {"tools", {{{"name", "t"}, {"input_schema", "any"}}}}}),
      Catch::Contains("tools[0].input_schema must be a JSON Schema object"));
  CHECK_THAT(refusal({{"messages", {user("x")}}, {"options", {{"temperature", 3}}}}),
             Catch::Contains("options.temperature must be a number from 0 to 2"));
  CHECK_THAT(refusal({{"messages", {user("x")}}, {"options", {{"temperature", 1.5}}}}, 1.0),
             Catch::Contains("from 0 to 1"));
  CHECK_THAT(refusal({{"messages", {user("x")}}, {"options", {{"max_tokens", 0}}}}),
             Catch::Contains("options.max_tokens must be a positive integer"));
  CHECK_THAT(refusal({{"messages", {user("x")}}, {"options", {{"model", ""}}}}),
             Catch::Contains("options.model must be a non-empty string"));
  CHECK(refusal({{"messages", {user("x")}}, {"options", {{"max_tokens", nullptr}}}}).empty());
}

TEST_CASE("call options override the config's model settings", "[plugins][providers][input]") {
  const ModelSettings defaults{"base", 0.2, 100};
  const ModelSettings same = apply(defaults, Overrides{});
  CHECK(same.model == "base");
  CHECK(same.temperature == 0.2);
  CHECK(same.max_tokens == 100);
  const ModelSettings changed = apply(defaults, Overrides{"other", 0.9, 7});
  CHECK(changed.model == "other");
  CHECK(changed.temperature == 0.9);
  CHECK(changed.max_tokens == 7);
}

TEST_CASE("a completion becomes the canonical result", "[plugins][providers][input]") {
  Completion c;
  c.text = "";
  c.tool_calls = {ToolCall{"call_1", "f", "{}"}};
  c.usage.prompt_tokens = 10;
  c.usage.completion_tokens = 5;
  c.model = "m";
  c.finish_reason = "tool_calls";
  const Json result = c.to_result();
  CHECK(result["message"]["role"] == "assistant");
  CHECK(result["message"]["content"].is_null());  // tool calls only
  CHECK(result["message"]["tool_calls"][0] ==
        Json{{"id", "call_1"}, {"name", "f"}, {"arguments", "{}"}});
  CHECK(result["usage"] ==
        Json{{"prompt_tokens", 10}, {"completion_tokens", 5}, {"total_tokens", 15}});
  CHECK(result["model"] == "m");
  c.tool_calls.clear();
  c.usage.total_tokens = 16;  // as reported wins over the sum
  const Json text_only = c.to_result();
  CHECK(text_only["message"]["content"] == "");
  CHECK_FALSE(text_only["message"].contains("tool_calls"));
  CHECK(text_only["usage"]["total_tokens"] == 16);
}

TEST_CASE("finish reasons are made canonical", "[plugins][providers][input]") {
  CHECK(canonical_finish_reason("stop", false) == "stop");
  CHECK(canonical_finish_reason("stop", true) == "tool_calls");
  CHECK(canonical_finish_reason("", false) == "stop");
  CHECK(canonical_finish_reason("", true) == "tool_calls");
  CHECK(canonical_finish_reason("length", true) == "length");
  CHECK(canonical_finish_reason("content_filter", false) == "content_filter");
  CHECK(canonical_finish_reason("function_call", false) == "tool_calls");
  CHECK(canonical_finish_reason("eos", false) == "stop");
}
