// A small data-driven rule engine shared by the bundled domain plugins.
//
// Rules are JSON data: {"input": [rule...], "output": [rule...]}. Every rule has an "id" and an
// "action"; patterns are ECMAScript regular expressions matched case-insensitively, compiled once
// when the rules are added. Keep patterns bounded ({0,40} rather than * or +): libstdc++'s regex
// matcher recurses per character and can exhaust a small thread stack on long texts.
//
// Input rules (checked against the user's message):
//   {"id", "action": "refuse",  "pattern", "reason", "unless"?}
//   {"id", "action": "rewrite", "pattern", "replacement", "note"?, "unless"?}
// Output rules (checked against the assistant's response; "message_pattern" and "if_rewritten"
// are optional conditions on the user's message and on earlier rules):
//   {"id", "action": "refuse",       "pattern", "reason", ...conditions}
//   {"id", "action": "rewrite",      "pattern", "replacement", "note"?, ...conditions}
//   {"id", "action": "number_steps", "min_sentences"?, "note"?, ...conditions}
//   {"id", "action": "append",       "text", "pattern"?, "note"?, ...conditions}
//   {"id", "action": "ask_missing",  "details": [{"pattern", "ask"}], "intro"?, "note"?,
//                                    ...conditions}
// "pattern" and "unless" take a string or an array of strings (any of them may match).
// "replacement" uses regex_replace syntax ($1, $&); when the matched text starts with a capital
// letter the replacement's first letter is capitalised too. "note" says what a rule changed and
// may contain "{match}" (the first matched text); an "append" text may contain "{changes}" (the
// notes of the rewrites made so far).
//
// Evaluation: refuse rules run first (on the original text; the first match wins), then rewrite
// rules, then number_steps, then append / ask_missing, each group in the order the rules were
// added. Checks are idempotent: an append is skipped when its text is already in the response,
// and text that an append or ask_missing rule added earlier (recognised by its fixed opening
// after a blank line) is not rewritten, numbered or refused again.
#pragma once

#include <agent_sdk/plugin.hpp>
#include <cstddef>
#include <regex>
#include <string>
#include <vector>

namespace domain_rules {

using Json = agent_sdk::Json;

enum class Action { refuse, rewrite, number_steps, append, ask_missing };

struct Detail {
  std::vector<std::regex> patterns;  // any match means the user gave this detail
  std::string ask;                   // what to ask for when none matches
};

struct Rule {
  std::string id;
  Action action = Action::refuse;
  std::vector<std::regex> patterns;          // the checked text must match one (when given)
  std::vector<std::regex> unless;            // skip the rule when the checked text matches one
  std::vector<std::regex> message_patterns;  // output only: the user's message must match one
  bool if_rewritten = false;                 // output only: run only after a change was made
  std::string reason;                        // refuse
  std::string replacement;                   // rewrite
  std::string text;                          // append
  std::string note;                          // what the rule changed, for "reason"/"{changes}"
  std::string intro;                         // ask_missing
  std::vector<Detail> details;               // ask_missing
  std::size_t min_sentences = 2;             // number_steps
};

class RuleSet {
 public:
  // Validates and compiles `document` ({"input"?: [...], "output"?: [...]}) and adds its rules
  // after the ones already present. `origin` names the document in error messages (e.g. "config
  // rules"). Throws agent_sdk::Error(AGENT_ERR_INVALID_INPUT) naming the offending rule.
  void add(const Json& document, const std::string& origin);

  // {"action": "allow"} | {"action": "refuse", "reason"} |
  // {"action": "rewrite", "message", "reason": what was changed}
  Json check_input(const std::string& message) const;
  // {"action": "allow"} | {"action": "refuse", "reason"} |
  // {"action": "rewrite", "response", "reason": what was changed}
  Json check_output(const std::string& message, const std::string& response) const;

  std::size_t input_size() const noexcept { return input_.size(); }
  std::size_t output_size() const noexcept { return output_.size(); }

 private:
  // Where the appendices of an earlier check start in `response`, or npos.
  std::size_t appended_tail(const std::string& response) const;

  std::vector<Rule> input_;
  std::vector<Rule> output_;
};

// `text` with every regex metacharacter escaped, for building patterns from plain words.
std::string regex_escape(const std::string& text);

// A pattern matching `phrase` as whole words: \b is added on each side that starts or ends with
// a word character.
std::string whole_phrase_pattern(const std::string& phrase);

// Splits prose into sentences (on . ! ? followed by whitespace, and on line breaks), keeping the
// punctuation and dropping list bullets. Common abbreviations (e.g., i.e., etc.) do not split.
std::vector<std::string> split_sentences(const std::string& text);

// True when some line of `text` starts with "<digits>." or "<digits>)" and a space.
bool has_numbered_steps(const std::string& text);

}  // namespace domain_rules
