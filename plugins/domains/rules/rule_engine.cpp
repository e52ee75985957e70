#include "rules/rule_engine.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <initializer_list>
#include <new>
#include <set>
#include <string_view>
#include <utility>

namespace domain_rules {
namespace {

using agent_sdk::Error;

// Case-insensitive UTF-8, plus what keeps the ECMAScript-style patterns meaning what they meant
// under std::regex: "$" only at the very end, \uhhhh and \xhh escapes. No PCRE2_UCP: \w, \d, \s
// and \b stay ASCII-only as they were (and Unicode property lookups would slow every \b down).
constexpr uint32_t kCompileOptions =
    PCRE2_CASELESS | PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALT_BSUX;

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

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  const int length = pcre2_get_error_message(code, buffer, sizeof buffer);
  if (length < 0) return "PCRE2 error " + std::to_string(code);
  return std::string(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(length));
}

// Strict UTF-8 (no overlong forms, surrogates or code points above U+10FFFF), the same rules
// PCRE2 applies. Checking each text once lets every match skip PCRE2's own per-call check.
bool is_valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  const auto continuation = [](unsigned char c) { return (c & 0xC0) == 0x80; };
  while (p < end) {
    // Prose is mostly ASCII: skip it eight bytes at a time.
    while (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, sizeof word);
      if ((word & 0x8080808080808080ULL) != 0) break;
      p += 8;
    }
    if (p == end) break;
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    // The first continuation byte's range depends on the lead byte; the others are 80..BF.
    std::ptrdiff_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;   // overlong
      if (c == 0xED) high = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;   // overlong
      if (c == 0xF4) high = 0x8F;  // above U+10FFFF
    } else {
      return false;
    }
    if (end - p < length || p[1] < low || p[1] > high) return false;
    for (std::ptrdiff_t i = 2; i < length; ++i) {
      if (!continuation(p[i])) return false;
    }
    p += length;
  }
  return true;
}

void require_utf8(const std::string& text, const char* what) {
  if (!is_valid_utf8(text))
    throw Error(AGENT_ERR_INVALID_INPUT, std::string(what) + " is not valid UTF-8");
}

// Rules only put valid UTF-8 together; this keeps a mistake from reaching PCRE2 unchecked.
void check_result(const std::string& text, const Rule& rule) {
  if (!is_valid_utf8(text)) {
    throw Error(AGENT_ERR_INTERNAL,
                "rule \"" + rule.id + "\" produced text that is not valid UTF-8");
  }
}

struct CompileContextFree {
  void operator()(pcre2_compile_context* context) const noexcept {
    pcre2_compile_context_free(context);
  }
};
using CompileContext = std::unique_ptr<pcre2_compile_context, CompileContextFree>;

CompileContext make_compile_context() {
  CompileContext context(pcre2_compile_context_create(nullptr));
  if (!context) throw std::bad_alloc();
  // LF whatever the library's build default. Not ANYCRLF, although only that would keep "." off
  // \r as in ECMAScript: it never starts a match at the LF of a CRLF, so "(^|\W)keygen" or a
  // banned word's "\s?" would miss after a Windows line break. No built-in pattern uses ".".
  pcre2_set_newline(context.get(), PCRE2_NEWLINE_LF);
  return context;
}

Pattern compile(const std::string& source, const std::string& where,
                pcre2_compile_context* context) {
  if (source.empty()) invalid(where, "a pattern must be a non-empty string");
  int error = 0;
  PCRE2_SIZE offset = 0;
  Pattern pattern;
  pattern.code.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.data()), source.size(),
                                   kCompileOptions, &error, &offset, context));
  if (!pattern.code) {
    invalid(where, "invalid pattern \"" + source + "\": " + pcre2_message(error) + " (at offset " +
                       std::to_string(offset) + ")");
  }
  // JIT is only an optimisation: where it is unavailable (no JIT support, no executable memory)
  // pcre2_match() interprets the same code.
  pcre2_jit_compile(pattern.code.get(), PCRE2_JIT_COMPLETE);
  pcre2_pattern_info(pattern.code.get(), PCRE2_INFO_CAPTURECOUNT, &pattern.groups);
  pattern.where = where;
  return pattern;
}

// "pattern"-like fields take one string or an array of strings.
std::vector<Pattern> compile_patterns(const Json& value, const std::string& where, const char* key,
                                      pcre2_compile_context* context) {
  const std::string field = where + " \"" + key + "\"";
  std::vector<Pattern> out;
  if (value.is_string()) {
    out.push_back(compile(value.get<std::string>(), field, context));
  } else if (value.is_array() && !value.empty()) {
    for (const Json& item : value) {
      if (!item.is_string()) invalid(field, "must be a string or an array of strings");
      out.push_back(compile(item.get<std::string>(), field, context));
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

bool is_upper(char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; }
bool is_lower(char c) { return std::islower(static_cast<unsigned char>(c)) != 0; }
bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim_view(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_space(text[begin])) ++begin;
  while (end > begin && is_space(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

std::string trim(std::string_view text) { return std::string(trim_view(text)); }

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

Rule parse_rule(const Json& json, bool output, const std::string& position,
                pcre2_compile_context* context) {
  if (!json.is_object()) invalid(position, "a rule must be a JSON object");
  Rule rule;
  rule.id = string_field(json, "id", position, true, false);
  const std::string where = position + " (\"" + rule.id + "\")";
  rule.action = parse_action(json, output, where);
  check_keys(json, rule.action, output, where);

  const bool needs_pattern = rule.action == Action::refuse || rule.action == Action::rewrite;
  if (const auto it = json.find("pattern"); it != json.end()) {
    rule.patterns = compile_patterns(*it, where, "pattern", context);
  } else if (needs_pattern) {
    invalid(where, "missing \"pattern\"");
  }
  if (const auto it = json.find("unless"); it != json.end()) {
    rule.unless = compile_patterns(*it, where, "unless", context);
  }
  if (const auto it = json.find("message_pattern"); it != json.end()) {
    rule.message_patterns = compile_patterns(*it, where, "message_pattern", context);
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
    case Action::append: {
      rule.text = string_field(json, "text", where, true, false);
      const std::size_t changes_at = rule.text.find("{changes}");
      rule.text_has_changes = changes_at != std::string::npos;
      if (!rule.text_has_changes) rule.fixed_addition = trim(rule.text);
      // An earlier appendix is recognised by everything of the text before "{changes}".
      const std::string_view opening = trim_view(std::string_view(rule.text).substr(0, changes_at));
      if (!opening.empty()) rule.marker = "\n\n" + std::string(opening);
      break;
    }
    case Action::ask_missing: {
      rule.intro = string_field(json, "intro", where, false, false);
      if (rule.intro.empty()) rule.intro = "To help further, please tell me:";
      rule.marker = "\n\n" + rule.intro;
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
        rule.details.push_back(Detail{compile_patterns(item["pattern"], at, "pattern", context),
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

// Parses `list` into new rules, checking ids against `existing` and each other.
std::vector<Rule> parse_rules(const std::vector<Rule>& existing, const Json& list, bool output,
                              const std::string& where, pcre2_compile_context* context) {
  if (!list.is_array()) invalid(where, "must be an array of rules");
  std::vector<Rule> added;
  for (std::size_t i = 0; i < list.size(); ++i) {
    Rule rule = parse_rule(list[i], output, where + "[" + std::to_string(i) + "]", context);
    const auto same_id = [&](const Rule& other) { return other.id == rule.id; };
    if (std::any_of(existing.begin(), existing.end(), same_id) ||
        std::any_of(added.begin(), added.end(), same_id)) {
      invalid(where + "[" + std::to_string(i) + "]", "duplicate rule id \"" + rule.id + "\"");
    }
    added.push_back(std::move(rule));
  }
  return added;
}

void append_rules(std::vector<Rule>& rules, std::vector<Rule>& added) {
  rules.reserve(rules.size() + added.size());
  for (Rule& rule : added) rules.push_back(std::move(rule));
  std::stable_sort(rules.begin(), rules.end(),
                   [](const Rule& a, const Rule& b) { return phase(a.action) < phase(b.action); });
}

std::uint32_t max_groups(const std::vector<Rule>& rules) {
  std::uint32_t out = 0;
  const auto scan = [&](const std::vector<Pattern>& patterns) {
    for (const Pattern& pattern : patterns) out = std::max(out, pattern.groups);
  };
  for (const Rule& rule : rules) {
    scan(rule.patterns);
    scan(rule.unless);
    scan(rule.message_patterns);
    for (const Detail& detail : rule.details) scan(detail.patterns);
  }
  return out;
}

struct MatchDataFree {
  void operator()(pcre2_match_data* data) const noexcept { pcre2_match_data_free(data); }
};

// The mutable side of matching, one per check so concurrent checks share nothing but the
// immutable compiled patterns. Texts given to find() must be valid UTF-8 (see is_valid_utf8).
class Matcher {
 public:
  explicit Matcher(std::uint32_t groups) : data_(pcre2_match_data_create(groups + 1, nullptr)) {
    if (!data_) throw std::bad_alloc();
  }

  // Looks for `pattern` in `text` from `offset` (a character boundary); on success the match is
  // available through start(), end() and group().
  bool find(const Pattern& pattern, std::string_view text, std::size_t offset,
            std::uint32_t options = 0) {
    options |= PCRE2_NO_UTF_CHECK;
    const auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    int rc = pcre2_match(pattern.code.get(), subject, text.size(), offset, options, data_.get(),
                         nullptr);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
      // The JIT's stack is small and fixed; the interpreter keeps its backtracking on the heap.
      rc = pcre2_match(pattern.code.get(), subject, text.size(), offset, options | PCRE2_NO_JIT,
                       data_.get(), nullptr);
    }
    if (rc == PCRE2_ERROR_NOMATCH) return false;
    if (rc < 0) {
      throw Error(AGENT_ERR_INTERNAL, pattern.where + ": matching failed: " + pcre2_message(rc));
    }
    ovector_ = pcre2_get_ovector_pointer(data_.get());
    // rc is one more than the highest group set (0 only if the ovector were too small).
    set_ = rc == 0 ? pcre2_get_ovector_count(data_.get()) : static_cast<std::uint32_t>(rc);
    return true;
  }

  bool any(const std::vector<Pattern>& patterns, std::string_view text) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const Pattern& pattern) { return find(pattern, text, 0); });
  }

  std::size_t start() const { return ovector_[0]; }
  std::size_t end() const { return ovector_[1]; }
  // Group `n` of the last match, or false when it took no part in the match.
  bool group(std::uint32_t n, std::size_t& begin, std::size_t& end) const {
    if (n >= set_ || ovector_[2 * n] == PCRE2_UNSET) return false;
    begin = ovector_[2 * n];
    end = ovector_[2 * n + 1];
    return true;
  }

 private:
  std::unique_ptr<pcre2_match_data, MatchDataFree> data_;
  const PCRE2_SIZE* ovector_ = nullptr;
  std::uint32_t set_ = 0;
};

// Whether `rule` applies given everything but its main "pattern".
bool conditions_hold(const Rule& rule, std::string_view text, std::string_view message,
                     bool rewritten, Matcher& matcher) {
  if (!rule.unless.empty() && matcher.any(rule.unless, text)) return false;
  if (!rule.message_patterns.empty() && !matcher.any(rule.message_patterns, message)) return false;
  return !rule.if_rewritten || rewritten;
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

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Appends `format` with the last match's references expanded, exactly as std::regex's
// match_results::format does: $& the match, $n / $nn a group (nothing when it is out of range or
// did not take part), $` the text since the previous match, $' the rest, $$ a dollar; any other
// "$" is kept as it is.
void expand(std::string& out, const std::string& format, std::string_view text,
            std::size_t previous_end, std::uint32_t groups, const Matcher& matcher) {
  const auto put_group = [&](std::uint32_t n) {
    std::size_t begin = 0;
    std::size_t end = 0;
    if (matcher.group(n, begin, end)) out.append(text.substr(begin, end - begin));
  };
  std::size_t i = 0;
  while (i < format.size()) {
    const std::size_t dollar = format.find('$', i);
    out.append(format, i, dollar == std::string::npos ? std::string::npos : dollar - i);
    if (dollar == std::string::npos) break;
    i = dollar + 1;
    if (i == format.size()) {
      out += '$';
      break;
    }
    const char next = format[i];
    if (next == '$') {
      out += '$';
      ++i;
    } else if (next == '&') {
      put_group(0);
      ++i;
    } else if (next == '`') {
      out.append(text.substr(previous_end, matcher.start() - previous_end));
      ++i;
    } else if (next == '\'') {
      out.append(text.substr(matcher.end()));
      ++i;
    } else if (is_digit(next)) {
      std::uint32_t n = static_cast<std::uint32_t>(next - '0');
      ++i;
      if (i < format.size() && is_digit(format[i])) {
        n = n * 10 + static_cast<std::uint32_t>(format[i] - '0');
        ++i;
      }
      if (n <= groups) put_group(n);
    } else {
      out += '$';  // the next character is copied as ordinary text
    }
  }
}

// The offset of the character after the one at `at` (which is before the end of `text`).
std::size_t next_character(std::string_view text, std::size_t at) {
  ++at;
  while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
  return at;
}

// Replaces every match of `rule` in `text`; returns whether anything changed and records the
// first replaced text in `first`. Matches are visited as std::sregex_iterator visits them: after
// an empty match, a non-empty one at the same place, else the search goes on one character later.
bool apply_rewrite(const Rule& rule, std::string& text, std::string& first, Matcher& matcher) {
  bool changed = false;
  std::string out;
  std::string replacement;
  for (const Pattern& pattern : rule.patterns) {
    out.clear();
    std::size_t copied = 0;        // how much of `text` is already in `out`
    std::size_t previous_end = 0;  // where the previous match ended, for $`
    std::size_t offset = 0;
    std::uint32_t options = 0;
    bool replaced = false;
    while (true) {
      if (!matcher.find(pattern, text, offset, options)) {
        if (options == 0) break;
        options = 0;
        offset = next_character(text, offset);
        continue;
      }
      const std::size_t start = matcher.start();
      const std::size_t end = matcher.end();
      if (end > start) {  // an empty match has nothing to replace
        replacement.clear();
        expand(replacement, rule.replacement, text, previous_end, pattern.groups, matcher);
        const std::string_view matched = std::string_view(text).substr(start, end - start);
        // Keep sentence starts capitalised: "Guaranteed returns" -> "Potential returns".
        if (is_upper(matched.front()) && !replacement.empty() && is_lower(replacement.front())) {
          replacement.front() = static_cast<char>(std::toupper(replacement.front()));
        }
        out.append(text, copied, start - copied);
        out += replacement;
        copied = end;
        replaced = true;
        if (replacement != matched) {
          if (!changed) first = std::string(matched);
          changed = true;
        }
      }
      previous_end = end;
      if (end == start) {
        if (end == text.size()) break;
        options = PCRE2_ANCHORED | PCRE2_NOTEMPTY_ATSTART;
      } else {
        options = 0;
      }
      offset = end;
    }
    if (replaced) {
      out.append(text, copied, std::string::npos);
      text.swap(out);
      check_result(text, rule);
    }
  }
  return changed;
}

std::string describe_change(const Rule& rule, const std::string& first_match) {
  if (rule.note.empty()) return "applied rule \"" + rule.id + "\"";
  std::string shown = first_match;
  if (shown.size() > 60) {
    // Cut at a character boundary: half a UTF-8 character would make the note invalid JSON text.
    std::size_t cut = 57;
    while (cut > 0 && (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80) --cut;
    shown = shown.substr(0, cut) + "...";
  }
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

// `text` trimmed, then a blank line and `addition` (just `addition` when nothing is left).
void append_paragraph(std::string& text, std::string_view addition) {
  const std::string_view body = trim_view(text);
  std::string out;
  out.reserve(body.size() + 2 + addition.size());
  if (!body.empty()) out.append(body).append("\n\n");
  out.append(addition);
  text = std::move(out);
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
  const CompileContext context = make_compile_context();
  // Parse everything before changing anything, so a bad document leaves the set as it was.
  std::vector<Rule> input;
  std::vector<Rule> output;
  if (const auto it = document.find("input"); it != document.end()) {
    input = parse_rules(input_, *it, false, origin + ".input", context.get());
  }
  if (const auto it = document.find("output"); it != document.end()) {
    output = parse_rules(output_, *it, true, origin + ".output", context.get());
  }
  max_groups_ = std::max({max_groups_, max_groups(input), max_groups(output)});
  append_rules(input_, input);
  append_rules(output_, output);
}

Json RuleSet::check_input(const std::string& message) const {
  require_utf8(message, "check_input: \"message\"");
  Matcher matcher(max_groups_);
  std::string text = message;
  std::vector<std::string> notes;
  for (const Rule& rule : input_) {
    if (!conditions_hold(rule, text, text, !notes.empty(), matcher)) continue;
    if (rule.action == Action::refuse) {
      if (matcher.any(rule.patterns, text)) return {{"action", "refuse"}, {"reason", rule.reason}};
    } else if (rule.action == Action::rewrite) {
      std::string first;
      if (apply_rewrite(rule, text, first, matcher)) add_note(notes, describe_change(rule, first));
    }
  }
  if (notes.empty()) return {{"action", "allow"}};
  return {{"action", "rewrite"}, {"message", std::move(text)}, {"reason", join(notes, "; ")}};
}

Json RuleSet::check_output(const std::string& message, const std::string& response) const {
  require_utf8(message, "check_output: \"message\"");
  require_utf8(response, "check_output: \"response\"");
  Matcher matcher(max_groups_);
  // What an earlier check appended (a disclaimer, a brand note) is left alone: otherwise a second
  // check would rewrite the quoted phrases in a note or number a disclaimer as a step.
  const std::size_t tail_at = appended_tail(response);
  std::string text(response, 0, tail_at);
  const std::string_view tail = tail_at == std::string::npos
                                    ? std::string_view()
                                    : std::string_view(response).substr(tail_at);
  bool tail_merged = false;
  std::vector<std::string> notes;    // everything done, for "reason"
  std::vector<std::string> changes;  // rewrites of the response itself, for "{changes}"
  for (const Rule& rule : output_) {
    if (phase(rule.action) == 3 && !tail_merged) {
      text += tail;
      tail_merged = true;
    }
    if (!conditions_hold(rule, text, message, !changes.empty(), matcher)) continue;
    if (!rule.patterns.empty() && rule.action != Action::rewrite &&
        !matcher.any(rule.patterns, text)) {
      continue;
    }
    switch (rule.action) {
      case Action::refuse:
        return {{"action", "refuse"}, {"reason", rule.reason}};
      case Action::rewrite: {
        std::string first;
        if (apply_rewrite(rule, text, first, matcher)) {
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
        check_result(text, rule);
        std::string note = rule.note.empty() ? "formatted the answer as numbered steps" : rule.note;
        add_note(changes, note);
        add_note(notes, std::move(note));
        break;
      }
      case Action::append: {
        std::string built;  // only a text with "{changes}" differs from check to check
        std::string_view addition = rule.fixed_addition;
        if (rule.text_has_changes) {
          built = trim(replace_all(rule.text, "{changes}", join(changes, "; ")));
          addition = built;
        }
        if (addition.empty() || text.find(addition) != std::string::npos) break;
        append_paragraph(text, addition);
        check_result(text, rule);
        add_note(notes, rule.note.empty() ? "appended \"" + rule.id + "\"" : rule.note);
        break;
      }
      case Action::ask_missing: {
        if (text.find(rule.intro) != std::string::npos) break;
        std::vector<std::string> asks;
        for (const Detail& detail : rule.details) {
          if (!matcher.any(detail.patterns, message)) asks.push_back(detail.ask);
        }
        if (asks.empty()) break;
        append_paragraph(text, rule.intro + " " + join(asks, "; ") + ".");
        check_result(text, rule);
        add_note(notes, rule.note.empty() ? "asked for " + join(asks, ", ") : rule.note);
        break;
      }
    }
  }
  if (!tail_merged) text += tail;
  if (text == response) return {{"action", "allow"}};
  return {{"action", "rewrite"}, {"response", std::move(text)}, {"reason", join(notes, "; ")}};
}

std::size_t RuleSet::appended_tail(const std::string& response) const {
  std::size_t earliest = std::string::npos;
  for (const Rule& rule : output_) {
    // An appendix starts the response or follows a blank line, and begins with the rule's fixed
    // text: everything of an append text before "{changes}", or an ask_missing intro.
    if (rule.marker.empty()) continue;
    const std::string_view opening = std::string_view(rule.marker).substr(2);  // without "\n\n"
    if (std::string_view(response).substr(0, opening.size()) == opening) return 0;
    earliest = std::min(earliest, response.find(rule.marker));
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
