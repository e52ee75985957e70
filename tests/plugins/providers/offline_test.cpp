#include "bundled_plugin_support.hpp"

using namespace bundled_plugins_test;

namespace {

constexpr const char* kTarget = "provider_offline";
constexpr const char* kFirstLine =
    "[offline provider] No language model was called; this answer is composed from the agent's "
    "personality and domain knowledge.";

// What the host sends: the agent block is what the personality and domain "describe" returned.
json agent_block(const std::string& personality_target, const std::string& domain_target) {
  auto personality = instantiate(personality_target);
  auto domain = instantiate(domain_target);
  return {{"personality", call(*personality, "describe")}, {"domain", call(*domain, "describe")}};
}

json request(json messages, json agent, json options = json::object()) {
  return {{"messages", std::move(messages)},
          {"options", std::move(options)},
          {"agent", std::move(agent)}};
}

json user(const std::string& text) { return {{"role", "user"}, {"content", text}}; }
json assistant(const std::string& text) { return {{"role", "assistant"}, {"content", text}}; }

std::string content_of(const json& result) { return result["message"]["content"]; }

std::size_t tokens(const std::string& text) {
  std::size_t points = 0;
  for (const char c : text) points += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return (points + 3) / 4;
}

}  // namespace

TEST_CASE("offline loads as a thread-safe provider with id offline that declares no network",
          "[plugins][providers][offline]") {
  const auto library = load_library(kTarget);
  CHECK(library->info().id == "offline");
  CHECK(library->info().kind == PluginKind::provider);
  CHECK(library->info().thread_safe());
  const auto& capabilities = library->info().manifest.capabilities;
  CHECK(std::find(capabilities.begin(), capabilities.end(), "no_network") != capabilities.end());
  CHECK(library->info().manifest.config_schema["properties"].contains("max_knowledge_items"));
}

TEST_CASE("offline says on its first line that no language model was called",
          "[plugins][providers][offline]") {
  auto provider = instantiate(kTarget);
  const json result = call(*provider, "complete", request({user("Hello?")}, nullptr));
  const std::string content = content_of(result);
  CHECK(content.substr(0, content.find('\n')) == kFirstLine);
  CHECK(result["model"] == "offline");
  CHECK(result["finish_reason"] == "stop");
  CHECK(result["message"]["role"] == "assistant");
  CHECK_THAT(content, Catch::Contains("You asked: \"Hello?\"."));
  CHECK_THAT(content, Catch::Contains("No domain knowledge is configured for this agent"));
}

TEST_CASE("offline is deterministic: the same input gives the same output",
          "[plugins][providers][offline]") {
  auto provider = instantiate(kTarget);
  const json input = request({user("How do I diversify?")},
                             agent_block("personality_analytical", "domain_financial_advisor"));
  const auto first = provider->invoke("complete", input.dump(), {});
  const auto second = provider->invoke("complete", input.dump(), {});
  REQUIRE(first.ok());
  CHECK(first.result == second.result);
  // A fresh instance answers identically too: there is no hidden state.
  auto other = instantiate(kTarget);
  CHECK(other->invoke("complete", input.dump(), {}).result == first.result);
}

TEST_CASE("offline answers in the personality's tone and quotes the most relevant domain knowledge",
          "[plugins][providers][offline]") {
  auto provider = instantiate(kTarget);
  const std::string content = content_of(
      call(*provider, "complete",
           request({{{"role", "system"}, {"content", "You are an analytical assistant."}},
                    user("How should I diversify my portfolio and keep fees low?")},
                   agent_block("personality_analytical", "domain_financial_advisor"))));
  CHECK_THAT(content, Catch::Contains("Here is a structured summary of the relevant evidence."));
  CHECK_THAT(content,
             Catch::Contains("Answering as the analytical personality (data-driven, systematic, "
                             "logical-reasoning) in a professional tone, with an evidence-based "
                             "approach."));
  CHECK_THAT(content,
             Catch::Contains("The investment strategy points most relevant to your question:"));
  // Diversification and fees share two words each with the question; the domain's order breaks
  // the tie.
  CHECK_THAT(content, Catch::Contains("\n1. Diversification:"));
  CHECK_THAT(content, Catch::Contains("\n2. Fees compound like returns"));
  CHECK_THAT(content, Catch::Contains("\n3. "));
  CHECK_THAT(content, !Catch::Contains("\n4. "));
  CHECK_THAT(content, Catch::EndsWith("configure a language-model provider for an answer tailored "
                                      "to your situation."));
}

TEST_CASE("offline uses the creative tone for a creative content agent",
          "[plugins][providers][offline]") {
  auto provider = instantiate(kTarget, {{"max_knowledge_items", 1}});
  const std::string content =
      content_of(call(*provider, "complete",
                      request({user("Ideas for a strong hook?")},
                              agent_block("personality_creative", "domain_content_creator"))));
  CHECK_THAT(content, Catch::Contains("Great question, and there is plenty to build on here!"));
  CHECK_THAT(content,
             Catch::Contains("in an enthusiastic tone, with an out-of-the-box-thinking approach"));
  CHECK_THAT(content, Catch::Contains("The content marketing points most relevant"));
  CHECK_THAT(content, Catch::Contains("\n1. Hook:"));
  CHECK_THAT(content, !Catch::Contains("\n2. "));  // max_knowledge_items: 1
}

TEST_CASE("offline says so when no knowledge matches the question",
          "[plugins][providers][offline]") {
  auto provider = instantiate(kTarget);
  const std::string content =
      content_of(call(*provider, "complete",
                      request({user("zzz qqq")},
                              agent_block("personality_empathetic", "domain_technical_support"))));
  CHECK_THAT(content,
             Catch::Contains("None of the technical troubleshooting notes match your "
                             "wording closely, so here are general points:\n1. Reproduce first"));
  CHECK_THAT(content, Catch::Contains("Thanks for asking; let's go through this together"));
}

TEST_CASE("offline refers to the user's earlier question when there is history",
          "[plugins][providers][offline]") {
  auto provider = instantiate(kTarget);
  const std::string content =
      content_of(call(*provider, "complete",
                      request({user("What is a good emergency fund size?"),
                               assistant("Three to six months of expenses."),
                               user("And how often should I rebalance?")},
                              agent_block("personality_analytical", "domain_financial_advisor"))));
  CHECK_THAT(content, Catch::Contains("Following up on your earlier question about \"What is a "
                                      "good emergency fund size?\", you now asked: \"And how "
                                      "often should I rebalance?\"."));
  CHECK_THAT(content, Catch::Contains("\n1. Rebalancing:"));
}

TEST_CASE("offline streams a few text deltas whose concatenation is the final content",
          "[plugins][providers][offline]") {
  auto provider = instantiate(kTarget);
  std::vector<json> deltas;
  agent_host::plugins::CallOptions options;
  options.on_delta = [&](std::string_view text) {
    deltas.push_back(json::parse(text));
    return true;
  };
  const json input = request({user("How do I check the logs?")},
                             agent_block("personality_empathetic", "domain_technical_support"));
  const json result = provider->invoke_json("complete", input, options);
  REQUIRE(deltas.size() >= 3);
  std::string streamed;
  for (const json& delta : deltas) {
    CHECK(delta["type"] == "text");
    streamed += delta["text"].get<std::string>();
  }
  CHECK(streamed == content_of(result));
  CHECK(deltas.front()["text"].get<std::string>().rfind(kFirstLine, 0) == 0);
}

TEST_CASE("offline reports usage as ceil(code points / 4) per message",
          "[plugins][providers][offline]") {
  auto provider = instantiate(kTarget);
  const json messages = {{{"role", "system"}, {"content", "Be brief."}},
                         user("Préférez-vous les obligations ?")};
  const json result = call(*provider, "complete", request(messages, nullptr));
  const std::size_t prompt = tokens("Be brief.") + tokens("Préférez-vous les obligations ?");
  CHECK(result["usage"]["prompt_tokens"] == prompt);
  CHECK(result["usage"]["completion_tokens"] == tokens(content_of(result)));
  CHECK(result["usage"]["total_tokens"] == prompt + tokens(content_of(result)));
}

TEST_CASE("offline max_tokens truncates the completion and reports finish_reason length",
          "[plugins][providers][offline]") {
  auto provider = instantiate(kTarget);
  const json agent = agent_block("personality_analytical", "domain_financial_advisor");
  const std::string full = content_of(call(*provider, "complete", request({user("Fees?")}, agent)));
  std::vector<std::string> streamed;
  agent_host::plugins::CallOptions options;
  options.on_delta = [&](std::string_view text) {
    streamed.push_back(json::parse(text)["text"]);
    return true;
  };
  const json result = provider->invoke_json(
      "complete", request({user("Fees?")}, agent, {{"max_tokens", 10}}), options);
  CHECK(result["finish_reason"] == "length");
  CHECK(content_of(result) == full.substr(0, 40));
  CHECK(result["usage"]["completion_tokens"] == 10);
  std::string joined;
  for (const auto& part : streamed) joined += part;
  CHECK(joined == content_of(result));
  // A limit the answer fits in changes nothing.
  const json roomy =
      call(*provider, "complete", request({user("Fees?")}, agent, {{"max_tokens", 100000}}));
  CHECK(roomy["finish_reason"] == "stop");
  CHECK(content_of(roomy) == full);
}

TEST_CASE("offline rejects invalid input with AGENT_ERR_INVALID_INPUT and a clear message",
          "[plugins][providers][offline]") {
  auto provider = instantiate(kTarget);
  const auto error_of = [&](const json& input) {
    const auto result = provider->invoke("complete", input.dump(), {});
    CHECK(result.status == AGENT_ERR_INVALID_INPUT);
    return result.error;
  };
  CHECK_THAT(error_of(json::object()), Catch::Contains("\"messages\" must be a non-empty array"));
  CHECK_THAT(error_of({{"messages", json::array()}}), Catch::Contains("non-empty array"));
  CHECK_THAT(error_of({{"messages", {assistant("hi")}}}),
             Catch::Contains("no message with role \"user\""));
  CHECK_THAT(error_of({{"messages", {{{"content", "no role"}}}}}),
             Catch::Contains("messages[0] needs a string \"role\""));
  CHECK_THAT(error_of({{"messages", {user("x")}}, {"options", {{"max_tokens", 0}}}}),
             Catch::Contains("max_tokens must be a positive integer"));
  CHECK_THAT(error_of({{"messages", {user("x")}}, {"options", {{"max_tokens", "ten"}}}}),
             Catch::Contains("max_tokens must be a positive integer"));
  CHECK_THAT(error_of({{"messages", {user("x")}}, {"agent", {{"domain", {{"knowledge", "all"}}}}}}),
             Catch::Contains("agent.domain.knowledge must be an array of strings"));
  CHECK(provider->invoke("complete", "not json", {}).status == AGENT_ERR_INVALID_INPUT);
}

TEST_CASE("offline stops with AGENT_ERR_CANCELLED when the host refuses further deltas",
          "[plugins][providers][offline]") {
  auto provider = instantiate(kTarget);
  int received = 0;
  agent_host::plugins::CallOptions options;
  options.on_delta = [&](std::string_view) {
    ++received;
    return false;
  };
  const auto result = provider->invoke(
      "complete",
      request({user("Fees?")}, agent_block("personality_analytical", "domain_financial_advisor"))
          .dump(),
      options);
  CHECK(result.status == AGENT_ERR_CANCELLED);
  CHECK(received == 1);
  CHECK(result.result.empty());
}

TEST_CASE("offline rejects unknown or out-of-range config", "[plugins][providers][offline]") {
  CHECK_THAT(create_error(kTarget, {{"max_knowledge_items", 0}}), Catch::Contains("from 1 to 10"));
  CHECK_THAT(create_error(kTarget, {{"model", "gpt"}}), Catch::Contains("unknown key \"model\""));
}

TEST_CASE("an offline answer passes technical_support's output rules without being renumbered",
          "[plugins][providers][offline]") {
  // The answer already lists numbered points, so the domain only adds its request for details.
  auto provider = instantiate(kTarget);
  auto domain = instantiate("domain_technical_support");
  const std::string question = "My VPN connection keeps failing";
  const std::string answer =
      content_of(call(*provider, "complete",
                      request({user(question)},
                              agent_block("personality_empathetic", "domain_technical_support"))));
  const json verdict = check_output(*domain, question, answer);
  REQUIRE(verdict["action"] == "rewrite");
  const std::string checked = verdict["response"];
  CHECK(checked.rfind(answer + "\n\nTo help further, please tell me: your operating system", 0) ==
        0);
}
