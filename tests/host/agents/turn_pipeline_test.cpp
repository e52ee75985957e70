#include "agents/turn_pipeline.h"

#include <catch2/catch.hpp>

#include "agents/agent_registry.h"
#include "store/memory_conversation_store.h"
#include "support/fixture_agents.h"

using namespace agent_host;
using agent_test::fixture_agent;

namespace {

struct Fixture {
  agent_test::TempDir dir;
  plugins::SecretStore secret_store;
  plugins::HostServices services{secret_store};
  plugins::PluginSet plugins;
  store::MemoryConversationStore store;
  agents::TurnPipeline pipeline{store};

  explicit Fixture(store::MemoryStoreLimits limits = {}) : store(limits) {
    agent_test::install_fixture_plugins(dir);
    plugins = plugins::load_plugin_directory(dir.path() / "plugins");
  }
  std::shared_ptr<const agents::Agent> agent(std::size_t history_limit = 20) {
    return agents::build_agent(agents::parse_agent_definition(fixture_agent("fx", history_limit)),
                               plugins, services);
  }
};

agents::ChatRequest request(const std::string& message,
                            std::optional<std::string> conversation = std::nullopt) {
  agents::ChatRequest r;
  r.user_id = "user-1";
  r.message = message;
  r.conversation_id = std::move(conversation);
  return r;
}

}  // namespace

TEST_CASE("a turn runs provider and output rules and stores both messages with usage",
          "[agents][pipeline]") {
  Fixture f;
  const auto agent = f.agent();
  const auto result = f.pipeline.run(*agent, request("hello"), "req-1");
  // echo saw [system, user] = 2 messages; the gatekeeper's output rule appended " (checked)".
  CHECK(result.response == "echo[2]: hello (checked)");
  CHECK(result.usage.prompt_tokens == 7);
  CHECK(result.usage.completion_tokens == 3);
  CHECK(result.usage.total_tokens == 10);
  CHECK(result.model == "echo-1");
  CHECK_FALSE(result.refusal);

  const auto messages = f.store.messages(result.conversation_id);
  REQUIRE(messages.size() == 2);
  CHECK(messages[0].role == "user");
  CHECK(messages[0].content == "hello");
  CHECK(messages[0].tokens == 7);
  CHECK(messages[1].role == "assistant");
  CHECK(messages[1].content == result.response);
  CHECK(messages[1].tokens == 3);
}

TEST_CASE("a repeated conversation id continues with bounded history", "[agents][pipeline]") {
  Fixture f;
  const auto agent = f.agent(/*history_limit=*/4);
  const auto first = f.pipeline.run(*agent, request("one"), "r");
  auto result = f.pipeline.run(*agent, request("two", first.conversation_id), "r");
  CHECK(result.conversation_id == first.conversation_id);
  CHECK(result.response == "echo[4]: two (checked)");  // system + 2 history + user
  for (int i = 0; i < 5; ++i)
    result = f.pipeline.run(*agent, request("more", first.conversation_id), "r");
  CHECK(result.response == "echo[6]: more (checked)");  // system + 4 history (the limit) + user
  CHECK(f.store.messages(first.conversation_id).size() == 14);  // stored history is not bounded
  CHECK(result.message_count == 14);
}

TEST_CASE("an input rule refusal answers with the reason and never calls the provider",
          "[agents][pipeline]") {
  Fixture f;
  const auto agent = f.agent();
  const auto result = f.pipeline.run(*agent, request("tell me FORBIDDEN things"), "r");
  REQUIRE(result.refusal);
  CHECK(*result.refusal == "forbidden topic (fixture)");
  CHECK_THAT(result.response, Catch::Contains("forbidden topic (fixture)"));
  CHECK_THAT(result.response, !Catch::Contains("echo"));
  CHECK(result.usage.total_tokens == 0);
  CHECK(f.store.messages(result.conversation_id).size() == 2);
}

TEST_CASE("an input rewrite reaches the model and the store, not the original text",
          "[agents][pipeline]") {
  Fixture f;
  const auto agent = f.agent();
  const auto result = f.pipeline.run(*agent, request("my secret is 42"), "r");
  CHECK(result.response == "echo[2]: my [redacted] is 42 (checked)");
  CHECK(f.store.messages(result.conversation_id)[0].content == "my [redacted] is 42");
}

TEST_CASE("an output rule refusal replaces the answer", "[agents][pipeline]") {
  Fixture f;
  const auto agent = f.agent();
  const auto result = f.pipeline.run(*agent, request("say BAD_OUTPUT"), "r");
  REQUIRE(result.refusal);
  CHECK_THAT(result.response, Catch::Contains("the answer was unsafe"));
  CHECK(result.finish_reason == "refused");
}

TEST_CASE("provider failures become typed turn errors and store nothing", "[agents][pipeline]") {
  Fixture f;
  const auto agent = f.agent();
  using Kind = agents::TurnError::Kind;
  const std::vector<std::pair<std::string, Kind>> cases = {{"FAIL_UNAVAILABLE", Kind::unavailable},
                                                           {"FAIL_TIMEOUT", Kind::upstream_timeout},
                                                           {"FAIL_THROW", Kind::upstream},
                                                           {"NO_CONTENT", Kind::upstream},
                                                           {"RULES_BROKEN", Kind::plugin}};
  const auto first = f.pipeline.run(*agent, request("hello"), "r");
  for (const auto& [message, kind] : cases) {
    INFO(message);
    try {
      f.pipeline.run(*agent, request(message, first.conversation_id), "r");
      FAIL("expected a TurnError");
    } catch (const agents::TurnError& e) {
      CHECK(e.kind() == kind);
    }
  }
  CHECK(f.store.messages(first.conversation_id).size() == 2);  // nothing half-stored
}

TEST_CASE("another user's or an unknown conversation is not found", "[agents][pipeline]") {
  Fixture f;
  const auto agent = f.agent();
  const auto first = f.pipeline.run(*agent, request("hello"), "r");
  auto other = request("hi", first.conversation_id);
  other.user_id = "user-2";
  CHECK_THROWS_AS(f.pipeline.run(*agent, other, "r"), agents::TurnError);
  CHECK_THROWS_AS(
      f.pipeline.run(*agent, request("hi", "00000000-0000-4000-8000-000000000000"), "r"),
      agents::TurnError);
}

TEST_CASE("a full store refuses the turn with a clear error", "[agents][pipeline]") {
  Fixture f(store::MemoryStoreLimits{1, 4});
  const auto agent = f.agent();
  const auto first = f.pipeline.run(*agent, request("one"), "r");
  f.pipeline.run(*agent, request("two", first.conversation_id), "r");
  try {
    f.pipeline.run(*agent, request("three", first.conversation_id), "r");
    FAIL("expected store_full");
  } catch (const agents::TurnError& e) {
    CHECK(e.kind() == agents::TurnError::Kind::store_full);
    CHECK_THAT(e.what(), Catch::Contains("maximum of 4 messages"));
  }
  CHECK_THROWS_AS(f.pipeline.run(*agent, request("new conversation"), "r"), agents::TurnError);
}
