// The shared rule engine, tested below the plugin boundary: evaluation order, conditions,
// templates and the validation messages a domain's create() passes on.
#include "rules/rule_engine.hpp"

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <thread>
#include <vector>

using domain_rules::Json;
using domain_rules::RuleSet;

namespace {

RuleSet rules_from(const Json& document) {
  RuleSet rules;
  rules.add(document, "test rules");
  return rules;
}

// The error a check throws, with its code.
template <typename Check>
std::pair<int32_t, std::string> check_error(Check&& check) {
  try {
    check();
  } catch (const agent_sdk::Error& e) {
    return {e.code(), e.what()};
  }
  return {0, ""};
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

TEST_CASE("rule engine: replacements expand $n, $&, $$, $` and $' as regex_replace did",
          "[plugins][domains][rules]") {
  const RuleSet rules = rules_from(
      {{"input",
        {{{"id", "swap"},
          {"action", "rewrite"},
          {"pattern", "\\b(\\w{1,20})@(\\w{1,20})\\b"},
          // $3 names no group and, as with std::regex, expands to nothing.
          {"replacement", "$2 at $1 ($&, $$5, $3)"}},
         {{"id", "around"}, {"action", "rewrite"}, {"pattern", "#"}, {"replacement", "[$`|$']"}},
         {{"id", "optional"},
          {"action", "rewrite"},
          {"pattern", "z?"},
          {"replacement", "<$&>"}}}}});
  CHECK(rules.check_input("mail bob@example now")["message"] ==
        "mail example at bob (bob@example, $5, ) now");
  CHECK(rules.check_input("a#b")["message"] == "a[a|b]b");
  // Empty matches replace nothing; only the real "z" is rewritten.
  CHECK(rules.check_input("xzy")["message"] == "x<z>y");
}

TEST_CASE("rule engine: a pattern PCRE2 rejects fails add() naming the rule and the reason",
          "[plugins][domains][rules]") {
  CHECK_THAT(add_error({{"output",
                         {{{"id", "bad-escape"},
                           {"action", "refuse"},
                           {"pattern", "\\bfoo\\y"},
                           {"reason", "r"}}}}}),
             Catch::Contains("test rules.output[0] (\"bad-escape\") \"pattern\"") &&
                 Catch::Contains("invalid pattern \"\\bfoo\\y\"") &&
                 Catch::Contains("unrecognized character follows \\"));
  CHECK_THAT(add_error({{"input",
                         {{{"id", "lookbehind"},
                           {"action", "refuse"},
                           {"pattern", "ok"},
                           {"unless", {"fine", "(?<=a+)b"}},
                           {"reason", "r"}}}}}),
             Catch::Contains("test rules.input[0] (\"lookbehind\") \"unless\"") &&
                 Catch::Contains("lookbehind assertion is not fixed length"));

  // A failed add leaves the set as it was.
  RuleSet rules = rules_from(
      {{"input", {{{"id", "a"}, {"action", "refuse"}, {"pattern", "a"}, {"reason", "r"}}}}});
  CHECK_THROWS(rules.add(
      {{"input", {{{"id", "b"}, {"action", "refuse"}, {"pattern", "b"}, {"reason", "r"}}}},
       {"output", {{{"id", "c"}, {"action", "refuse"}, {"pattern", "(["}, {"reason", "r"}}}}},
      "more rules"));
  CHECK(rules.input_size() == 1);
  CHECK(rules.output_size() == 0);
  CHECK(rules.check_input("b") == Json({{"action", "allow"}}));
}

TEST_CASE("rule engine: ECMAScript-style patterns keep their meaning on UTF-8 text",
          "[plugins][domains][rules]") {
  const RuleSet rules = rules_from(
      {{"input",
        {{{"id", "end"}, {"action", "refuse"}, {"pattern", "done$"}, {"reason", "end"}},
         {{"id", "quote"}, {"action", "refuse"}, {"pattern", "can\\u2019t"}, {"reason", "quote"}},
         {{"id", "word"}, {"action", "refuse"}, {"pattern", "\\bber\\b"}, {"reason", "word"}},
         {{"id", "accent"},
          {"action", "rewrite"},
          {"pattern", "caf\u00e9 [^ ]{1,2}!"},
          {"replacement", "coffee!"}}}}});
  // "$" is the very end, not also before a final line break.
  CHECK(rules.check_input("all done")["reason"] == "end");
  CHECK(rules.check_input("done\n")["action"] == "allow");
  // \uhhhh is an ECMAScript escape.
  CHECK(rules.check_input("I can\u2019t")["reason"] == "quote");
  // \b and \w are ASCII-only, as before: "ü" is not a word character.
  CHECK(rules.check_input("\u00fcber")["reason"] == "word");
  CHECK(rules.check_input("bermuda")["action"] == "allow");
  // Case-insensitive beyond ASCII, and a character class takes a whole UTF-8 character.
  CHECK(rules.check_input("CAF\u00c9 \u00e9\u00e9!")["message"] == "Coffee!");
}

TEST_CASE("rule engine: texts that are not valid UTF-8 are rejected, not matched",
          "[plugins][domains][rules]") {
  const RuleSet rules = rules_from(
      {{"output", {{{"id", "x"}, {"action", "refuse"}, {"pattern", "x"}, {"reason", "r"}}}}});
  const auto [code, message] = check_error([&] { rules.check_output("ok", "bad \xff byte"); });
  CHECK(code == AGENT_ERR_INVALID_INPUT);
  CHECK_THAT(message, Catch::Contains("\"response\" is not valid UTF-8"));
  // Overlong forms and surrogates count as invalid, as in PCRE2.
  CHECK(check_error([&] { rules.check_input("\xc0\xaf"); }).first == AGENT_ERR_INVALID_INPUT);
  CHECK(check_error([&] { rules.check_input("\xed\xa0\x80"); }).first == AGENT_ERR_INVALID_INPUT);
  CHECK(rules.check_input("fine \xf0\x9f\x98\x80 text") == Json({{"action", "allow"}}));
}

TEST_CASE("rule engine: a long {match} in a note is cut at a character boundary",
          "[plugins][domains][rules]") {
  const RuleSet rules = rules_from({{"input",
                                     {{{"id", "long"},
                                       {"action", "rewrite"},
                                       {"pattern", "a{56}\u00e9{5}"},
                                       {"replacement", "x"},
                                       {"note", "removed {match}"}}}}});
  const Json verdict = rules.check_input(std::string(56, 'a') + "\u00e9\u00e9\u00e9\u00e9\u00e9");
  // Byte 57 is inside the first "é": the cut goes before it, so the note stays valid UTF-8.
  CHECK(verdict["reason"] == "removed " + std::string(56, 'a') + "...");
  CHECK_NOTHROW(verdict.dump());
}

TEST_CASE("rule engine: matching that exceeds PCRE2's match limit fails naming the rule",
          "[plugins][domains][rules]") {
  const RuleSet rules = rules_from({{"input",
                                     {{{"id", "runaway"},
                                       {"action", "refuse"},
                                       {"pattern", "^(?:a|aa){1,200}$"},
                                       {"reason", "r"}}}}});
  const auto [code, message] = check_error([&] { rules.check_input(std::string(80, 'a') + "!"); });
  CHECK(code == AGENT_ERR_INTERNAL);
  CHECK_THAT(message, Catch::Contains("test rules.input[0] (\"runaway\")") &&
                          Catch::Contains("match limit"));
}

TEST_CASE("rule engine: one rule set serves concurrent checks", "[plugins][domains][rules]") {
  const RuleSet rules = rules_from({{"input",
                                     {{{"id", "card"},
                                       {"action", "rewrite"},
                                       {"pattern", "\\b(\\d{4})(?:[ -]?\\d{4}){3}\\b"},
                                       {"replacement", "$1-xxxx"}}}},
                                    {"output",
                                     {{{"id", "soften"},
                                       {"action", "rewrite"},
                                       {"pattern", "\\bguaranteed\\s{1,3}(returns?)\\b"},
                                       {"replacement", "potential $1"}},
                                      {{"id", "note"},
                                       {"action", "append"},
                                       {"text", "Changed: {changes}."},
                                       {"if_rewritten", true}}}}});
  const auto work = [&](int seed, bool& same) {
    same = true;
    for (int i = 0; i < 300; ++i) {
      const std::string n = std::to_string(1000 + (seed * 300 + i) % 9000);
      same = same && rules.check_input("card " + n + " 1111 2222 3333 ok")["message"] ==
                         "card " + n + "-xxxx ok";
      same = same && rules.check_output("", "Guaranteed return " + n + ".")["response"] ==
                         "Potential return " + n + ".\n\nChanged: applied rule \"soften\".";
    }
  };
  std::vector<std::thread> threads;
  bool same[4] = {false, false, false, false};
  for (int t = 0; t < 4; ++t) threads.emplace_back(work, t, std::ref(same[t]));
  for (std::thread& thread : threads) thread.join();
  for (const bool result : same) CHECK(result);
}
