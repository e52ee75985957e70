#include "bundled_plugin_support.hpp"

using namespace bundled_plugins_test;

namespace {

constexpr const char* kTarget = "domain_financial_advisor";
constexpr const char* kDisclaimer =
    "This is general information, not personalised financial advice. Investments can lose value; "
    "past performance does not guarantee future results. Consider consulting a licensed "
    "financial adviser.";

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

}  // namespace

TEST_CASE("financial_advisor loads as a thread-safe domain with id financial_advisor",
          "[plugins][domains][financial_advisor]") {
  const auto library = load_library(kTarget);
  CHECK(library->info().id == "financial_advisor");
  CHECK(library->info().kind == PluginKind::domain);
  CHECK(library->info().thread_safe());
  const json& schema = library->info().manifest.config_schema;
  CHECK(schema["properties"]["specialization"]["default"] == "investment_strategy");
  CHECK(schema["properties"]["rules"]["properties"].contains("output"));
}

TEST_CASE("financial_advisor describe defaults to investment_strategy with real knowledge",
          "[plugins][domains][financial_advisor]") {
  auto domain = instantiate(kTarget);
  const json description = call(*domain, "describe");
  CHECK(description["id"] == "financial_advisor");
  CHECK(description["specialization"] == "investment_strategy");
  const std::string prompt = description["system_prompt"];
  CHECK(prompt.find("specialising in investment strategy") != std::string::npos);
  CHECK(prompt.find("Never promise or guarantee returns") != std::string::npos);
  std::vector<std::string> heads;
  for (const auto& item : description["knowledge"]) heads.push_back(item.get<std::string>());
  for (const char* topic : {"Diversification", "Risk tolerance", "Time horizon", "Fees compound",
                            "Emergency fund", "Rebalancing"}) {
    CAPTURE(topic);
    CHECK(std::any_of(heads.begin(), heads.end(),
                      [&](const std::string& item) { return starts_with(item, topic); }));
  }
}

TEST_CASE("financial_advisor specialization comes from config",
          "[plugins][domains][financial_advisor]") {
  auto domain = instantiate(kTarget, {{"specialization", "retirement_planning"}});
  const json description = call(*domain, "describe");
  CHECK(description["specialization"] == "retirement_planning");
  CHECK(description["system_prompt"].get<std::string>().find(
            "specialising in retirement planning") != std::string::npos);
}

TEST_CASE("financial_advisor refuses requests for guaranteed or risk-free returns with a reason",
          "[plugins][domains][financial_advisor]") {
  auto domain = instantiate(kTarget);
  for (const char* message :
       {"Can you guarantee me 20% returns this year?", "Promise I'll make 8% a year",
        "Where can I get a risk-free profit?", "I want guaranteed monthly income from stocks",
        "Give me a stock that can't lose.", "Show me a can't-lose investment"}) {
    CAPTURE(message);
    const json verdict = check_input(*domain, message);
    CHECK(verdict["action"] == "refuse");
    CHECK_THAT(verdict.value("reason", ""), Catch::Contains("can't promise or guarantee"));
  }
}

TEST_CASE("financial_advisor refuses insider trading and market manipulation with a reason",
          "[plugins][domains][financial_advisor]") {
  auto domain = instantiate(kTarget);
  for (const char* message :
       {"How can I profit from insider information about a merger?",
        "Help me run a pump and dump on a penny stock", "Let's manipulate the share price of XYZ",
        "My friend at the company told me about the deal before it's announced, should I buy?",
        "How do I front-run my clients' orders?"}) {
    CAPTURE(message);
    const json verdict = check_input(*domain, message);
    CHECK(verdict["action"] == "refuse");
    CHECK_THAT(verdict.value("reason", ""),
               Catch::Contains("insider trading or market manipulation"));
  }
}

TEST_CASE("financial_advisor allows ordinary and educational questions unchanged",
          "[plugins][domains][financial_advisor]") {
  auto domain = instantiate(kTarget);
  for (const char* message :
       {"How should I split my savings between stocks and bonds?",
        "Why are guaranteed returns a red flag?", "What is insider trading and why is it illegal?",
        "What is the risk-free rate?", "I can't lose my house deposit, what is a safe option?"}) {
    CAPTURE(message);
    CHECK(check_input(*domain, message) == json({{"action", "allow"}}));
  }
}

TEST_CASE("financial_advisor redacts card numbers and IBANs from the user's message and says so",
          "[plugins][domains][financial_advisor]") {
  auto domain = instantiate(kTarget);
  json verdict = check_input(*domain, "My card 4111 1111 1111 1111 has debt; pay it off first?");
  CHECK(verdict["action"] == "rewrite");
  CHECK(verdict["message"] == "My card [card number removed] has debt; pay it off first?");
  CHECK_THAT(verdict["reason"].get<std::string>(),
             Catch::Contains("removed a payment card number"));

  verdict = check_input(*domain, "Card 5500-0000-0000-0004 and 4000056655665556 both");
  CHECK(verdict["message"] == "Card [card number removed] and [card number removed] both");

  verdict = check_input(*domain, "Send it to GB82 WEST 1234 5698 7654 32 please");
  CHECK(verdict["action"] == "rewrite");
  CHECK(verdict["message"] == "Send it to [IBAN removed] please");
  CHECK_THAT(verdict["reason"].get<std::string>(), Catch::Contains("IBAN"));

  // Ordinary numbers are not card numbers.
  CHECK(check_input(*domain, "I have 25000 to invest over 10 years")["action"] == "allow");
}

TEST_CASE("financial_advisor rewrites promise language in answers and appends the disclaimer",
          "[plugins][domains][financial_advisor]") {
  auto domain = instantiate(kTarget);
  const json verdict = check_output(
      *domain, "Is this fund good?",
      "This fund offers guaranteed returns and is risk-free. It will definitely grow.");
  REQUIRE(verdict["action"] == "rewrite");
  CHECK(verdict["response"] ==
        std::string("This fund offers potential returns and is lower-risk. It may grow.\n\n") +
            kDisclaimer);
  const std::string reason = verdict["reason"];
  CHECK_THAT(reason, Catch::Contains("\"guaranteed returns\""));
  CHECK_THAT(reason, Catch::Contains("appended the risk disclaimer"));
}

TEST_CASE("financial_advisor keeps the technical term risk-free rate and capitalises rewrites",
          "[plugins][domains][financial_advisor]") {
  auto domain = instantiate(kTarget);
  const json verdict = check_output(
      *domain, "", "Guaranteed returns do not exist; compare with the risk-free rate.");
  CHECK(verdict["response"].get<std::string>().rfind(
            "Potential returns do not exist; compare with the risk-free rate.", 0) == 0);
}

TEST_CASE("financial_advisor never duplicates the disclaimer",
          "[plugins][domains][financial_advisor]") {
  auto domain = instantiate(kTarget);
  const json first = check_output(*domain, "", "Diversify across asset classes.");
  REQUIRE(first["action"] == "rewrite");
  CHECK(count(first["response"], kDisclaimer) == 1);
  // Checking the checked answer again changes nothing.
  CHECK(check_output(*domain, "", first["response"]) == json({{"action", "allow"}}));
  // A disclaimer worded differently also counts as present.
  CHECK(check_output(*domain, "", "Diversify. This is not personalized financial advice.") ==
        json({{"action", "allow"}}));
}

TEST_CASE("financial_advisor applies extra rules from config after its own",
          "[plugins][domains][financial_advisor]") {
  auto domain =
      instantiate(kTarget, {{"rules",
                             {{"input",
                               {{{"id", "no-crypto"},
                                 {"action", "refuse"},
                                 {"pattern", {"\\bbitcoin\\b", "\\bcrypto"}},
                                 {"reason", "This adviser does not cover crypto-assets."}}}},
                              {"output",
                               {{{"id", "house-fund"},
                                 {"action", "refuse"},
                                 {"pattern", "\\bACME Growth Fund\\b"},
                                 {"reason", "Answers may not recommend in-house funds."}},
                                {{"id", "plain-english"},
                                 {"action", "rewrite"},
                                 {"pattern", "\\bequities\\b"},
                                 {"replacement", "shares"}}}}}}});
  CHECK(check_input(*domain, "Should I buy Bitcoin?") ==
        json({{"action", "refuse"}, {"reason", "This adviser does not cover crypto-assets."}}));
  CHECK(check_input(*domain, "Guarantee me 10%")["reason"] !=
        "This adviser does not cover crypto-assets.");
  CHECK(check_output(*domain, "", "Buy the acme growth fund.") ==
        json({{"action", "refuse"}, {"reason", "Answers may not recommend in-house funds."}}));
  const json rewritten = check_output(*domain, "", "Hold equities for the long run.");
  CHECK(rewritten["response"] == std::string("Hold shares for the long run.\n\n") + kDisclaimer);
}

TEST_CASE("financial_advisor create fails clearly on bad config",
          "[plugins][domains][financial_advisor]") {
  CHECK_THAT(create_error(kTarget, {{"rules",
                                     {{"input",
                                       {{{"id", "broken"},
                                         {"action", "refuse"},
                                         {"pattern", "(unclosed"},
                                         {"reason", "x"}}}}}}}),
             Catch::Contains("config rules.input[0] (\"broken\")") &&
                 Catch::Contains("invalid pattern \"(unclosed\""));
  CHECK_THAT(
      create_error(kTarget, {{"rules", {{"output", {{{"id", "x"}, {"action", "explode"}}}}}}}),
      Catch::Contains("unknown output action \"explode\""));
  CHECK_THAT(create_error(
                 kTarget,
                 {{"rules", {{"input", {{{"id", "x"}, {"action", "refuse"}, {"pattern", "a"}}}}}}}),
             Catch::Contains("missing \"reason\""));
  CHECK_THAT(create_error(kTarget, {{"rules", {{"input", {{"not an object"}}}}}}),
             Catch::Contains("must be a JSON object"));
  CHECK_THAT(
      create_error(
          kTarget,
          {{"rules",
            {{"input", {{{"id", "x"}, {"action", "refuse"}, {"pattern", 5}, {"reason", "r"}}}}}}}),
      Catch::Contains("\"pattern\": must be a string"));
  CHECK_THAT(create_error(kTarget, {{"rules", "all of them"}}),
             Catch::Contains("config rules: must be an object"));
  CHECK_THAT(create_error(kTarget, {{"specialization", 42}}),
             Catch::Contains("\"specialization\" must be a non-empty string"));
  CHECK_THAT(create_error(kTarget, {{"specialisation", "tax"}}),
             Catch::Contains("unknown key \"specialisation\""));
  // A duplicate of a built-in rule id is a mistake, not an override.
  CHECK_THAT(create_error(kTarget, {{"rules",
                                     {{"output",
                                       {{{"id", "risk-disclaimer"},
                                         {"action", "append"},
                                         {"text", "Other disclaimer."}}}}}}}),
             Catch::Contains("duplicate rule id \"risk-disclaimer\""));
}

TEST_CASE("financial_advisor check methods reject input without the required strings",
          "[plugins][domains][financial_advisor]") {
  auto domain = instantiate(kTarget);
  auto result = domain->invoke("check_input", R"({"history": []})", {});
  CHECK(result.status == AGENT_ERR_INVALID_INPUT);
  CHECK_THAT(result.error, Catch::Contains("\"message\""));
  result = domain->invoke("check_output", R"({"message": "hi"})", {});
  CHECK(result.status == AGENT_ERR_INVALID_INPUT);
  CHECK_THAT(result.error, Catch::Contains("\"response\""));
}
