#include "rules/rule_engine.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <set>
#include <utility>

namespace domain_rules {
namespace {

using agent_sdk::Error;

[[noreturn]] void invalid(const std::string& where, const std::string& what) {
  throw Error(AGENT_ERR_INVALID_INPUT, where + ": " + what);
}

const char* action_name(Action action) {
  switch (action) {
    case Action::refuse:
      return "refuse";
    case Action::rewrite:
      return "rewrite";
    case Action::number_steps:
      return "number_steps";
    case Action::append:
      return "append";
    case Action::ask_missing:
      return "ask_missing";
  }
  return "?";
}

std::regex compile(const std::string& pattern, const std::string& where) {
  if (pattern.empty()) invalid(where, "a pattern must be a non-empty string");
  try {
    return std::regex(pattern, std::regex::ECMAScript | std::regex::icase);
  } catch (const std::regex_error& e) {
    invalid(where, "invalid pattern \"" + pattern + "\": " + e.what());
  }
}

// "pattern"-like fields take one string or an array of strings.
std::vector<std::regex> compile_patterns(const Json& value, const std::string& where,
                                         const char* key) {
  const std::string field = where + " \"" + key + "\"";
  std::vector<std::regex> out;
  if (value.is_string()) {
    out.push_back(compile(value.get<std::string>(), field));
  } else if (value.is_array() && !value.empty()) {
    for (const Json& item : value) {
      if (!item.is_string()) invalid(field, "must be a string or an array of strings");
      out.push_back(compile(item.get<std::string>(), field));
    }
  } else {
    invalid(field, "must be a string or a non-empty array of strings");
  }
  return out;
}

std::string string_field(const Json& rule, const char* key, const std::string& where, bool required,
                         bool allow_empty) {
  const auto it = rule.find(key);
  if (it == rule.end()) {
    if (required) invalid(where, std::string("missing \"") + key + "\"");
    return {};
  }
  if (!it->is_string()) invalid(where, std::string("\"") + key + "\" must be a string");
  std::string value = it->get<std::string>();
  if (value.empty() && !allow_empty) {
    invalid(where, std::string("\"") + key + "\" must not be empty");
  }
  return value;
}

Action parse_action(const Json& rule, bool output, const std::string& where) {
  const std::string name = string_field(rule, "action", where, true, false);
  if (name == "refuse") return Action::refuse;
  if (name == "rewrite") return Action::rewrite;
  if (output) {
    if (name == "number_steps") return Action::number_steps;
    if (name == "append") return Action::append;
    if (name == "ask_missing") return Action::ask_missing;
    invalid(where, "unknown output action \"" + name +
                       "\" (expected refuse, rewrite, number_steps, append or ask_missing)");
  }
  invalid(where, "unknown input action \"" + name + "\" (expected refuse or rewrite)");
}

// Rejects keys the action does not use, so a typo ("patern") fails loudly instead of silently
// turning a rule into one that always fires.
void check_keys(const Json& rule, Action action, bool output, const std::string& where) {
  std::set<std::string> allowed{"id", "action", "pattern", "unless"};
  if (output) allowed.insert({"message_pattern", "if_rewritten"});
  switch (action) {
    case Action::refuse:
      allowed.insert("reason");
      break;
    case Action::rewrite:
      allowed.insert({"replacement", "note"});
      break;
    case Action::number_steps:
      allowed.insert({"min_sentences", "note"});
      break;
    case Action::append:
      allowed.insert({"text", "note"});
      break;
    case Action::ask_missing:
      allowed.insert({"details", "intro", "note"});
      break;
  }
  for (const auto& item : rule.items()) {
    if (allowed.count(item.key()) == 0) {
      invalid(where,
              "unknown key \"" + item.key() + "\" for action \"" + action_name(action) + "\"");
    }
  }
}

Rule parse_rule(const Json& json, bool output, const std::string& position) {
  if (!json.is_object()) invalid(position, "a rule must be a JSON object");
  Rule rule;
  rule.id = string_field(json, "id", position, true, false);
  const std::string where = position + " (\"" + rule.id + "\")";
  rule.action = parse_action(json, output, where);
  check_keys(json, rule.action, output, where);

  const bool needs_pattern = rule.action == Action::refuse || rule.action == Action::rewrite;
  if (const auto it = json.find("pattern"); it != json.end()) {
    rule.patterns = compile_patterns(*it, where, "pattern");
  } else if (needs_pattern) {
    invalid(where, "missing \"pattern\"");
  }
  if (const auto it = json.find("unless"); it != json.end()) {
    rule.unless = compile_patterns(*it, where, "unless");
  }
  if (const auto it = json.find("message_pattern"); it != json.end()) {
    rule.message_patterns = compile_patterns(*it, where, "message_pattern");
  }
  if (const auto it = json.find("if_rewritten"); it != json.end()) {
    if (!it->is_boolean()) invalid(where, "\"if_rewritten\" must be a boolean");
    rule.if_rewritten = it->get<bool>();
  }
  rule.note = string_field(json, "note", where, false, false);

  switch (rule.action) {
    case Action::refuse:
      rule.reason = string_field(json, "reason", where, true, false);
      break;
    case Action::rewrite:
      rule.replacement = string_field(json, "replacement", where, true, true);
      break;
    case Action::number_steps:
      if (const auto it = json.find("min_sentences"); it != json.end()) {
        if (!it->is_number_unsigned() || it->get<std::size_t>() < 1) {
          invalid(where, "\"min_sentences\" must be a positive integer");
        }
        rule.min_sentences = it->get<std::size_t>();
      }
      break;
    case Action::append:
      rule.text = string_field(json, "text", where, true, false);
      break;
    case Action::ask_missing: {
      rule.intro = string_field(json, "intro", where, false, false);
      if (rule.intro.empty()) rule.intro = "To help further, please tell me:";
      const auto details = json.find("details");
      if (details == json.end() || !details->is_array() || details->empty()) {
        invalid(where, "\"details\" must be a non-empty array of {\"pattern\", \"ask\"}");
      }
      for (std::size_t i = 0; i < details->size(); ++i) {
        const Json& item = (*details)[i];
        const std::string at = where + " details[" + std::to_string(i) + "]";
        if (!item.is_object() || !item.contains("pattern")) {
          invalid(at, "must be an object with \"pattern\" and \"ask\"");
        }
        for (const auto& entry : item.items()) {
          if (entry.key() != "pattern" && entry.key() != "ask") {
            invalid(at, "unknown key \"" + entry.key() + "\"");
          }
        }
        rule.details.push_back(Detail{compile_patterns(item["pattern"], at, "pattern"),
                                      string_field(item, "ask", at, true, false)});
      }
      break;
    }
  }
  return rule;
}

// Lower numbers run first; see the evaluation order in the header.
int phase(Action action) {
  switch (action) {
    case Action::refuse:
      return 0;
    case Action::rewrite:
      return 1;
    case Action::number_steps:
      return 2;
    case Action::append:
    case Action::ask_missing:
      return 3;
  }
  return 3;
}

void add_rules(std::vector<Rule>& rules, const Json& list, bool output, const std::string& where) {
  if (!list.is_array()) invalid(where, "must be an array of rules");
  std::vector<Rule> added;
  for (std::size_t i = 0; i < list.size(); ++i) {
    Rule rule = parse_rule(list[i], output, where + "[" + std::to_string(i) + "]");
    const auto same_id = [&](const Rule& other) { return other.id == rule.id; };
    if (std::any_of(rules.begin(), rules.end(), same_id) ||
        std::any_of(added.begin(), added.end(), same_id)) {
      invalid(where + "[" + std::to_string(i) + "]", "duplicate rule id \"" + rule.id + "\"");
    }
    added.push_back(std::move(rule));
  }
  for (Rule& rule : added) rules.push_back(std::move(rule));
  std::stable_sort(rules.begin(), rules.end(),
                   [](const Rule& a, const Rule& b) { return phase(a.action) < phase(b.action); });
}

bool any_match(const std::vector<std::regex>& patterns, const std::string& text) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::regex& re) { return std::regex_search(text, re); });
}

// Whether `rule` applies given everything but its main "pattern".
bool conditions_hold(const Rule& rule, const std::string& text, const std::string& message,
                     bool rewritten) {
  if (!rule.unless.empty() && any_match(rule.unless, text)) return false;
  if (!rule.message_patterns.empty() && !any_match(rule.message_patterns, message)) return false;
  return !rule.if_rewritten || rewritten;
}

bool is_upper(char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; }
bool is_lower(char c) { return std::islower(static_cast<unsigned char>(c)) != 0; }
bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

void add_note(std::vector<std::string>& notes, std::string note) {
  if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(std::move(note));
}

// Replaces every match of `rule` in `text`; returns whether anything changed and records the
// first replaced text in `first`.
bool apply_rewrite(const Rule& rule, std::string& text, std::string& first) {
  bool changed = false;
  for (const std::regex& re : rule.patterns) {
    std::string out;
    std::size_t copied = 0;  // how much of `text` is already in `out`
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
         ++it) {
      const std::smatch& match = *it;
      if (match.length(0) == 0) continue;  // an empty match has nothing to replace
      const auto position = static_cast<std::size_t>(match.position(0));
      std::string replacement = match.format(rule.replacement);
      const std::string matched = match.str(0);
      // Keep sentence starts capitalised: "Guaranteed returns" -> "Potential returns".
      if (is_upper(matched.front()) && !replacement.empty() && is_lower(replacement.front())) {
        replacement.front() = static_cast<char>(std::toupper(replacement.front()));
      }
      out.append(text, copied, position - copied);
      out += replacement;
      copied = position + matched.size();
      if (replacement != matched) {
        if (!changed) first = matched;
        changed = true;
      }
    }
    if (copied > 0) {
      out.append(text, copied, std::string::npos);
      text = std::move(out);
    }
  }
  return changed;
}

std::string describe_change(const Rule& rule, const std::string& first_match) {
  if (rule.note.empty()) return "applied rule \"" + rule.id + "\"";
  std::string shown = first_match.size() > 60 ? first_match.substr(0, 57) + "..." : first_match;
  return replace_all(rule.note, "{match}", shown);
}

std::string number_sentences(const std::vector<std::string>& sentences) {
  std::string out;
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    if (i > 0) out += '\n';
    out += std::to_string(i + 1) + ". " + sentences[i];
  }
  return out;
}

// Abbreviations whose trailing dot does not end a sentence.
bool ends_with_abbreviation(const std::string& sentence) {
  static constexpr const char* kAbbreviations[] = {"e.g.",    "i.e.",  "eg.", "ie.",  "vs.", "cf.",
                                                   "approx.", "incl.", "mr.", "mrs.", "ms.", "dr."};
  const std::size_t start = sentence.find_last_of(" \t(");
  std::string word = sentence.substr(start == std::string::npos ? 0 : start + 1);
  std::transform(word.begin(), word.end(), word.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return std::any_of(std::begin(kAbbreviations), std::end(kAbbreviations),
                     [&](const char* abbreviation) { return word == abbreviation; });
}

std::string trim(const std::string& text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_space(text[begin])) ++begin;
  while (end > begin && is_space(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

}  // namespace

void RuleSet::add(const Json& document, const std::string& origin) {
  if (!document.is_object())
    invalid(origin, "must be an object {\"input\": [...], \"output\": [...]}");
  for (const auto& item : document.items()) {
    if (item.key() != "input" && item.key() != "output") {
      invalid(origin, "unknown key \"" + item.key() + "\" (expected \"input\" or \"output\")");
    }
  }
  // Work on copies so a bad document leaves the set as it was.
  std::vector<Rule> input = input_;
  std::vector<Rule> output = output_;
  if (const auto it = document.find("input"); it != document.end()) {
    add_rules(input, *it, false, origin + ".input");
  }
  if (const auto it = document.find("output"); it != document.end()) {
    add_rules(output, *it, true, origin + ".output");
  }
  input_ = std::move(input);
  output_ = std::move(output);
}

Json RuleSet::check_input(const std::string& message) const {
  std::string text = message;
  std::vector<std::string> notes;
  for (const Rule& rule : input_) {
    if (!conditions_hold(rule, text, text, !notes.empty())) continue;
    if (rule.action == Action::refuse) {
      if (any_match(rule.patterns, text)) return {{"action", "refuse"}, {"reason", rule.reason}};
    } else if (rule.action == Action::rewrite) {
      std::string first;
      if (apply_rewrite(rule, text, first)) add_note(notes, describe_change(rule, first));
    }
  }
  if (notes.empty()) return {{"action", "allow"}};
  return {{"action", "rewrite"}, {"message", text}, {"reason", join(notes, "; ")}};
}

Json RuleSet::check_output(const std::string& message, const std::string& response) const {
  // What an earlier check appended (a disclaimer, a brand note) is left alone: otherwise a second
  // check would rewrite the quoted phrases in a note or number a disclaimer as a step.
  const std::size_t tail_at = appended_tail(response);
  std::string text = response.substr(0, tail_at);
  const std::string tail = tail_at == std::string::npos ? "" : response.substr(tail_at);
  bool tail_merged = false;
  std::vector<std::string> notes;    // everything done, for "reason"
  std::vector<std::string> changes;  // rewrites of the response itself, for "{changes}"
  for (const Rule& rule : output_) {
    if (phase(rule.action) == 3 && !tail_merged) {
      text += tail;
      tail_merged = true;
    }
    if (!conditions_hold(rule, text, message, !changes.empty())) continue;
    if (!rule.patterns.empty() && rule.action != Action::rewrite &&
        !any_match(rule.patterns, text)) {
      continue;
    }
    switch (rule.action) {
      case Action::refuse:
        return {{"action", "refuse"}, {"reason", rule.reason}};
      case Action::rewrite: {
        std::string first;
        if (apply_rewrite(rule, text, first)) {
          std::string note = describe_change(rule, first);
          add_note(changes, note);
          add_note(notes, std::move(note));
        }
        break;
      }
      case Action::number_steps: {
        if (has_numbered_steps(text)) break;
        const std::vector<std::string> sentences = split_sentences(text);
        if (sentences.size() < rule.min_sentences) break;
        text = number_sentences(sentences);
        std::string note = rule.note.empty() ? "formatted the answer as numbered steps" : rule.note;
        add_note(changes, note);
        add_note(notes, std::move(note));
        break;
      }
      case Action::append: {
        const std::string addition = trim(replace_all(rule.text, "{changes}", join(changes, "; ")));
        if (addition.empty() || text.find(addition) != std::string::npos) break;
        text = trim(text).empty() ? addition : trim(text) + "\n\n" + addition;
        add_note(notes, rule.note.empty() ? "appended \"" + rule.id + "\"" : rule.note);
        break;
      }
      case Action::ask_missing: {
        if (text.find(rule.intro) != std::string::npos) break;
        std::vector<std::string> asks;
        for (const Detail& detail : rule.details) {
          if (!any_match(detail.patterns, message)) asks.push_back(detail.ask);
        }
        if (asks.empty()) break;
        const std::string request = rule.intro + " " + join(asks, "; ") + ".";
        text = trim(text).empty() ? request : trim(text) + "\n\n" + request;
        add_note(notes, rule.note.empty() ? "asked for " + join(asks, ", ") : rule.note);
        break;
      }
    }
  }
  if (!tail_merged) text += tail;
  if (text == response) return {{"action", "allow"}};
  return {{"action", "rewrite"}, {"response", text}, {"reason", join(notes, "; ")}};
}

std::size_t RuleSet::appended_tail(const std::string& response) const {
  std::size_t earliest = std::string::npos;
  for (const Rule& rule : output_) {
    // An appendix starts the response or follows a blank line, and begins with the rule's fixed
    // text: everything of an append text before "{changes}", or an ask_missing intro.
    std::string marker;
    if (rule.action == Action::append) {
      marker = trim(rule.text.substr(0, rule.text.find("{changes}")));
    } else if (rule.action == Action::ask_missing) {
      marker = rule.intro;
    }
    if (marker.empty()) continue;
    if (response.compare(0, marker.size(), marker) == 0) return 0;
    const std::size_t at = response.find("\n\n" + marker);
    if (at != std::string::npos) earliest = std::min(earliest, at);
  }
  return earliest;
}

std::string regex_escape(const std::string& text) {
  static constexpr const char* kSpecial = "\\^$.|?*+()[]{}";
  std::string out;
  out.reserve(text.size() * 2);
  for (const char c : text) {
    if (std::char_traits<char>::find(kSpecial, std::char_traits<char>::length(kSpecial), c) !=
        nullptr) {
      out += '\\';
    }
    out += c;
  }
  return out;
}

std::string whole_phrase_pattern(const std::string& phrase) {
  const auto is_word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  };
  std::string pattern = replace_all(regex_escape(trim(phrase)), " ", "\\s{1,5}");
  if (pattern.empty()) return pattern;
  if (is_word(phrase.front())) pattern = "\\b" + pattern;
  if (is_word(phrase.back())) pattern += "\\b";
  return pattern;
}

std::vector<std::string> split_sentences(const std::string& text) {
  std::vector<std::string> sentences;
  std::string current;
  const auto flush = [&] {
    std::string sentence = trim(current);
    current.clear();
    // List bullets become plain sentences; the caller numbers them.
    for (const char* bullet : {"- ", "* ", "\xE2\x80\xA2 "}) {
      const std::string prefix(bullet);
      if (sentence.compare(0, prefix.size(), prefix) == 0) {
        sentence = trim(sentence.substr(prefix.size()));
        break;
      }
    }
    if (!sentence.empty()) sentences.push_back(std::move(sentence));
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      flush();
      continue;
    }
    current += c;
    const bool at_break = i + 1 == text.size() || is_space(text[i + 1]);
    const bool terminal = c == '.' || c == '!' || c == '?';
    // A closing quote or bracket right after the terminal punctuation belongs to the sentence.
    const bool closing_after_terminal =
        (c == '"' || c == ')' || c == '\'') && i > 0 &&
        (text[i - 1] == '.' || text[i - 1] == '!' || text[i - 1] == '?');
    if (at_break && (terminal || closing_after_terminal)) {
      if (c == '.' && ends_with_abbreviation(current)) continue;
      flush();
    }
  }
  flush();
  return sentences;
}

bool has_numbered_steps(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::size_t digits = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
      ++i;
      ++digits;
    }
    if (digits > 0 && digits <= 3 && i + 1 < text.size() && (text[i] == '.' || text[i] == ')') &&
        (text[i + 1] == ' ' || text[i + 1] == '\t')) {
      return true;
    }
    const std::size_t next = text.find('\n', i);
    if (next == std::string::npos) break;
    i = next + 1;
  }
  return false;
}

}  // namespace domain_rules
