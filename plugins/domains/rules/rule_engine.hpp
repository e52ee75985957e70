// A small data-driven rule engine shared by the bundled domain plugins.
//
// Rules are JSON data: {"input": [rule...], "output": [rule...]}. Every rule has an "id" and an
// "action"; patterns are PCRE2 regular expressions matched case-insensitively on UTF-8 text,
// compiled (and JIT-compiled) once when the rules are added. Rules written for ECMAScript (the
// std::regex this engine used before) keep their meaning: "$" matches only at the very end,
// \uhhhh and \xhh are ECMAScript escapes, and \w, \d, \s and \b are ASCII-only. What differs:
// a character is a UTF-8 character, not a byte ({0,30} counts characters, "é" matches "É"), "."
// matches \r, and Perl syntax is accepted (an unknown escape such as \y is an error, not "y").
// Keep patterns bounded ({0,40} rather than * or +): it keeps backtracking cheap on long texts.
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
// "replacement" uses regex_replace syntax ($1, $&, $$, $` and $'); when the matched text starts
// with a capital letter the replacement's first letter is capitalised too. "note" says what a
// rule changed and may contain "{match}" (the first matched text); an "append" text may contain
// "{changes}" (the notes of the rewrites made so far).
//
// Evaluation: refuse rules run first (on the original text; the first match wins), then rewrite
// rules, then number_steps, then append / ask_missing, each group in the order the rules were
// added. Checks are idempotent: an append is skipped when its text is already in the response,
// and text that an append or ask_missing rule added earlier (recognised by its fixed opening
// after a blank line) is not rewritten, numbered or refused again.
#pragma once

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include <agent_sdk/plugin.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace domain_rules {

using Json = agent_sdk::Json;

enum class Action { refuse, rewrite, number_steps, append, ask_missing };

struct PatternCodeFree {
  void operator()(pcre2_code* code) const noexcept { pcre2_code_free(code); }
};

// A compiled pattern. The code (JIT included) is never modified after compilation, so any number
// of threads may match it at once, each with its own match data.
struct Pattern {
  std::unique_ptr<pcre2_code, PatternCodeFree> code;
  std::uint32_t groups = 0;  // capturing groups, for $n in replacements
  std::string where;         // the rule and field it came from, for matching errors
};

struct Detail {
  std::vector<Pattern> patterns;  // any match means the user gave this detail
  std::string ask;                // what to ask for when none matches
};

struct Rule {
  std::string id;
  Action action = Action::refuse;
  std::vector<Pattern> patterns;          // the checked text must match one (when given)
  std::vector<Pattern> unless;            // skip the rule when the checked text matches one
  std::vector<Pattern> message_patterns;  // output only: the user's message must match one
  bool if_rewritten = false;              // output only: run only after a change was made
  std::string reason;                     // refuse
  std::string replacement;                // rewrite
  std::string text;                       // append
  std::string note;                       // what the rule changed, for "reason"/"{changes}"
  std::string intro;                      // ask_missing
  std::vector<Detail> details;            // ask_missing
  std::size_t min_sentences = 2;          // number_steps
  // Derived once in add() rather than on every check:
  std::string marker;             // append / ask_missing: "\n\n" + the appendix's fixed opening
  std::string fixed_addition;     // append without "{changes}": the trimmed text to append
  bool text_has_changes = false;  // append: "text" contains "{changes}"
};

class RuleSet {
 public:
  // Validates and compiles `document` ({"input"?: [...], "output"?: [...]}) and adds its rules
  // after the ones already present. `origin` names the document in error messages (e.g. "config
  // rules"). Throws agent_sdk::Error(AGENT_ERR_INVALID_INPUT) naming the offending rule; the set
  // is then unchanged.
  void add(const Json& document, const std::string& origin);

  // The texts must be valid UTF-8 (JSON strings always are); otherwise these throw
  // agent_sdk::Error(AGENT_ERR_INVALID_INPUT).
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
  std::uint32_t max_groups_ = 0;  // over every pattern: sizes the per-check match data
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
