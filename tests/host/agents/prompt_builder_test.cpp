#include "agents/prompt_builder.h"

#include <catch2/catch.hpp>

#include "support/stored_message.h"

using namespace agent_host;

using agent_test::stored_message;

TEST_CASE("the system prompt is personality, then domain, then knowledge", "[agents][prompt]") {
  const auto prompt = agents::build_system_prompt(
      {{"system_prompt", "P."}}, {{"system_prompt", "D."}, {"knowledge", {"k1", "k2"}}});
  CHECK(prompt == "P.\n\nD.\n\nDomain knowledge:\n- k1\n- k2");
}

TEST_CASE("messages are system, client context, history, then the user message",
          "[agents][prompt]") {
  const std::vector<store::Message> history = {stored_message("1", "user", "q", 0),
                                               stored_message("2", "assistant", "a", 0)};
  const auto messages = agents::build_messages("S", history, "now", {{"risk_tolerance", "low"}});
  REQUIRE(messages.size() == 5);
  CHECK(messages[0]["content"] == "S");
  CHECK(messages[1]["role"] == "system");
  CHECK_THAT(messages[1]["content"].get<std::string>(), Catch::Contains("risk_tolerance"));
  CHECK(messages[2]["content"] == "q");
  CHECK(messages[3]["role"] == "assistant");
  CHECK(messages[4] == nlohmann::json{{"role", "user"}, {"content", "now"}});
  CHECK(agents::build_messages("S", {}, "x", nlohmann::json::object()).size() == 2);
}
