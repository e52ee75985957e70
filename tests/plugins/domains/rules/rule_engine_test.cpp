// The shared rule engine, tested below the plugin boundary: evaluation order, conditions,
// templates and the validation messages a domain's create() passes on.
#include "rules/rule_engine.hpp"

#include <catch2/catch.hpp>
#include <string>

using domain_rules::Json;
using domain_rules::RuleSet;

namespace {

RuleSet rules_from(const Json& document) {
  RuleSet rules;
  rules.add(document, "test rules");
  return rules;
}

std::string add_error(const Json& document) {
  try {
    rules_from(document);
  } catch (const agent_sdk::Error& e) {
    CHECK(e.code() == AGENT_ERR_INVALID_INPUT);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("rule engine: refuse rules win over rewrites whatever their order in the data",
          "[plugins][domains][rules]") {
  const RuleSet rules = rules_from(
      {{"input",
        {{{"id", "mask"}, {"action", "rewrite"}, {"pattern", "secret"}, {"replacement", "[x]"}},
         {{"id", "no-secrets"},
          {"action", "refuse"},
          {"pattern", "secret"},
          {"reason", "No secrets here."}}}}});
  CHECK(rules.check_input("my SECRET plan") ==
        Json({{"action", "refuse"}, {"reason", "No secrets here."}}));
  CHECK(rules.check_input("nothing to see") == Json({{"action", "allow"}}));
}

TEST_CASE(
    "rule engine: rewrites are case-insensitive, keep a capital first letter and report "
    "the note with the matched text",
    "[plugins][domains][rules]") {
  const RuleSet rules = rules_from({{"output",
                                     {{{"id", "soften"},
                                       {"action", "rewrite"},
                                       {"pattern", "\\bcertainly\\b"},
                                       {"replacement", "probably"},
                                       {"note", "softened \"{match}\""}}}}});
  const Json verdict = rules.check_output("", "Certainly. It will certainly work.");
  CHECK(verdict["action"] == "rewrite");
  CHECK(verdict["response"] == "Probably. It will probably work.");
  CHECK(verdict["reason"] == "softened \"Certainly\"");
}

TEST_CASE("rule engine: append runs after rewrites, fills {changes} and is never duplicated",
          "[plugins][domains][rules]") {
  const RuleSet rules = rules_from({{"output",
                                     {{{"id", "note"},
                                       {"action", "append"},
                                       {"if_rewritten", true},
                                       {"text", "Changed: {changes}."}},
                                      {{"id", "swap"},
                                       {"action", "rewrite"},
                                       {"pattern", "foo"},
                                       {"replacement", "bar"},
                                       {"note", "foo became bar"}}}}});
  const Json first = rules.check_output("", "foo!");
  CHECK(first["response"] == "bar!\n\nChanged: foo became bar.");
  CHECK(rules.check_output("", first["response"]) == Json({{"action", "allow"}}));
  // if_rewritten: nothing changed, so no note.
  CHECK(rules.check_output("", "plain") == Json({{"action", "allow"}}));
}

TEST_CASE("rule engine: message_pattern makes an output rule depend on the user's message",
          "[plugins][domains][rules]") {
  const RuleSet rules = rules_from({{"output",
                                     {{{"id", "tax"},
                                       {"action", "append"},
                                       {"message_pattern", "\\btax"},
                                       {"text", "Tax rules vary by country."}}}}});
  CHECK(rules.check_output("What about taxes?", "Answer.")["response"] ==
        "Answer.\n\nTax rules vary by country.");
  CHECK(rules.check_output("What about fees?", "Answer.") == Json({{"action", "allow"}}));
}

TEST_CASE(
    "rule engine: number_steps numbers prose sentences but leaves numbered lists and "
    "single sentences alone",
    "[plugins][domains][rules]") {
  const RuleSet rules = rules_from({{"output", {{{"id", "steps"}, {"action", "number_steps"}}}}});
  CHECK(rules.check_output(
            "", "Open the app, e.g. from the dock. Click Settings! Is it on?")["response"] ==
        "1. Open the app, e.g. from the dock.\n2. Click Settings!\n3. Is it on?");
  CHECK(rules.check_output("", "1. Open it.\n2. Close it.") == Json({{"action", "allow"}}));
  CHECK(rules.check_output("", "Just restart it.") == Json({{"action", "allow"}}));
  CHECK(rules.check_output("", "- Unplug it\n- Wait ten seconds")["response"] ==
        "1. Unplug it\n2. Wait ten seconds");
}

TEST_CASE("rule engine: ask_missing asks only for the details the user's message lacks",
          "[plugins][domains][rules]") {
  const RuleSet rules =
      rules_from({{"output",
                   {{{"id", "ask"},
                     {"action", "ask_missing"},
                     {"details",
                      {{{"pattern", "windows|linux"}, {"ask", "your OS"}},
                       {{"pattern", "\\d+\\.\\d+"}, {"ask", "the version"}}}}}}}});
  CHECK(rules.check_output("It fails on Linux", "Try again.")["response"] ==
        "Try again.\n\nTo help further, please tell me: the version.");
  CHECK(rules.check_output("It fails on Linux 6.1", "Try again.") == Json({{"action", "allow"}}));
}

TEST_CASE("rule engine: helpers escape phrases and split sentences predictably",
          "[plugins][domains][rules]") {
  CHECK(domain_rules::whole_phrase_pattern("c++ pro") == "\\bc\\+\\+\\s{1,5}pro\\b");
  CHECK(domain_rules::whole_phrase_pattern("(beta)") == "\\(beta\\)");
  CHECK(domain_rules::whole_phrase_pattern("cheap") == "\\bcheap\\b");
  CHECK(domain_rules::split_sentences("Version 3.2 is out. Update now!\nDone") ==
        std::vector<std::string>{"Version 3.2 is out.", "Update now!", "Done"});
  CHECK(domain_rules::has_numbered_steps("Intro\n  2) second"));
  CHECK_FALSE(domain_rules::has_numbered_steps("Costs 3.5 dollars"));
}

TEST_CASE("rule engine: malformed rules are rejected with the rule's position and id",
          "[plugins][domains][rules]") {
  CHECK_THAT(
      add_error(
          {{"input", {{{"id", "x"}, {"action", "refuse"}, {"pattern", "(["}, {"reason", "r"}}}}}),
      Catch::Contains("test rules.input[0] (\"x\")") && Catch::Contains("invalid pattern \"([\""));
  CHECK_THAT(add_error({{"input", "nope"}}), Catch::Contains("test rules.input: must be an array"));
  CHECK_THAT(add_error({{"input", {{{"id", "x"}, {"action", "append"}, {"text", "t"}}}}}),
             Catch::Contains("unknown input action \"append\""));
  CHECK_THAT(add_error({{"output", {{{"id", "x"}, {"action", "refuse"}, {"pattern", "a"}}}}}),
             Catch::Contains("missing \"reason\""));
  CHECK_THAT(add_error({{"output", {{{"id", "x"}, {"action", "append"}, {"txt", "t"}}}}}),
             Catch::Contains("unknown key \"txt\""));
  CHECK_THAT(
      add_error({{"output",
                  {{{"id", "x"}, {"action", "rewrite"}, {"pattern", ""}, {"replacement", ""}}}}}),
      Catch::Contains("non-empty"));
  CHECK_THAT(add_error({{"output",
                         {{{"id", "x"}, {"action", "append"}, {"text", "a"}},
                          {{"id", "x"}, {"action", "append"}, {"text", "b"}}}}}),
             Catch::Contains("duplicate rule id \"x\""));
  CHECK_THAT(add_error({{"outputs", Json::array()}}), Catch::Contains("unknown key \"outputs\""));
}
