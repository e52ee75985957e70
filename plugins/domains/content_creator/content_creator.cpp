// content_creator: the domain of the original design's agent_beta ("brand guidelines, audience
// focus"). Refuses plagiarism and fake reviews, rewrites clickbait and the brand's banned words in
// answers, and then appends a short brand-check note saying what it changed.
#include <agent_sdk/plugin.hpp>
#include <string>
#include <utility>

#include "rules/rule_domain.hpp"

namespace {

using agent_sdk::Error;
using agent_sdk::Json;

// Knowledge and rules as data; the rule format is documented in rules/rule_engine.hpp. The
// brand-specific rules (banned words, the brand-check note) are added from config at create().
constexpr const char kData[] = R"json({
  "knowledge": [
    "Hook: open with the reader's problem, a surprising fact or a concrete promise in the first line; most readers decide within seconds whether to keep reading.",
    "Call to action: end each piece with one clear, specific next step (\"Book a free demo\", \"Download the checklist\") rather than several competing ones.",
    "Audience targeting: write for one defined reader, their goals, vocabulary and objections; reuse the words they use in reviews, support tickets and search queries.",
    "Consistent voice: follow the brand's voice and style guide (tone, words to use and avoid, formatting) so every channel sounds like the same company.",
    "Accessibility: give every image meaningful alt text, use descriptive link text, keep sufficient colour contrast and caption every video.",
    "Scannable structure: short paragraphs, descriptive subheadings and bullet lists help readers and search engines find the point quickly.",
    "Originality and honesty: cite sources, never copy other people's work, and publish only claims and testimonials you can back up; misleading claims destroy trust and can break advertising rules.",
    "Measure and iterate: track one goal metric per piece (click-through, sign-ups, shares) and A/B test headlines and calls to action."
  ],
  "rules": {
    "input": [
      {
        "id": "no-plagiarism",
        "action": "refuse",
        "pattern": [
          "\\b(copy|copies|copying|reproduce|replicate|duplicate|paste|reuse|use)\\b[^.?!\\n]{0,60}\\b(word[- ]for[- ]word|verbatim)\\b",
          "\\b(word[- ]for[- ]word|verbatim)\\b[^.?!\\n]{0,60}\\b(competitor'?s?|article|post|blog|content|website|site|book|lyrics)\\b",
          "\\b(help me|can you|please|i want to|let'?s|how (do|can) i)\\s{1,3}([\\w']{1,20}\\s{1,3}){0,2}plagiari[sz]e\\b",
          "\\b(rip off|steal|lift)\\b[^.?!\\n]{0,40}\\b(content|articles?|posts?|copy|blog|text|writing|competitor'?s?)\\b",
          "\\b(publish|post|use|pass|present)\\b[^.?!\\n]{0,40}\\bas\\s{1,3}(our|my)\\s{1,3}own\\b"
        ],
        "reason": "I can't copy a competitor's or anyone else's copyrighted content verbatim or pass it off as yours. I can write original content on the same topic, in your own brand voice."
      },
      {
        "id": "no-fake-reviews",
        "action": "refuse",
        "pattern": [
          "\\b(fake|false|made[- ]up|fabricated|bogus|phony|phoney|invented)\\s{1,3}([\\w-]{1,20}\\s{1,3}){0,2}(reviews?|testimonials?|ratings?|endorsements?)\\b",
          "\\b(write|post|create|generate|draft)\\b[^.?!\\n]{0,40}\\b(reviews?|testimonials?)\\b[^.?!\\n]{0,40}\\b(as if|pretending|posing as|as (a|an) (customer|buyer|client|user)|from (customers|buyers|clients|users) who)",
          "\\bastroturf"
        ],
        "reason": "I can't write fake reviews or testimonials: they mislead customers and break consumer-protection law and platform rules. I can help you ask real customers for reviews or showcase genuine feedback."
      }
    ],
    "output": [
      {
        "id": "clickbait-you-wont-believe",
        "action": "rewrite",
        "pattern": "\\byou\\s{1,3}(won'?t|won\u2019t|will\\s{1,3}not)\\s{1,3}believe\\b",
        "replacement": "discover",
        "note": "replaced the clickbait phrase \"{match}\" with \"discover\""
      },
      {
        "id": "clickbait-weird-trick",
        "action": "rewrite",
        "pattern": "\\b(this\\s{1,3})?(one|this)\\s{1,3}weird\\s{1,3}trick\\b",
        "replacement": "this simple technique",
        "note": "replaced the clickbait phrase \"{match}\" with \"this simple technique\""
      },
      {
        "id": "clickbait-shock",
        "action": "rewrite",
        "pattern": "\\bwill\\s{1,3}(shock\\s{1,3}you|blow\\s{1,3}your\\s{1,3}mind)\\b",
        "replacement": "may surprise you",
        "note": "replaced the clickbait phrase \"{match}\" with \"may surprise you\""
      }
    ]
  }
})json";

constexpr const char kManifest[] =
    R"({"description": "Content creator domain: brand guidelines and audience focus. Refuses plagiarism and fake reviews, rewrites clickbait and the brand's banned words, and notes every change it made.",
        "capabilities": ["describe", "check_input", "check_output", "brand_guidelines"],
        "config_schema": {"type": "object", "additionalProperties": false,
          "properties": {
            "brand": {"type": "object", "additionalProperties": false, "properties": {
              "name": {"type": "string", "minLength": 1, "maxLength": 100},
              "voice": {"type": "string", "minLength": 1, "maxLength": 300,
                        "description": "e.g. friendly, plain-spoken, no jargon"},
              "banned_words": {"type": "array", "maxItems": 200, "items": {"oneOf": [
                {"type": "string", "minLength": 1, "maxLength": 64,
                 "description": "removed from answers"},
                {"type": "object", "required": ["word", "replacement"],
                 "additionalProperties": false,
                 "properties": {"word": {"type": "string", "minLength": 1, "maxLength": 64},
                                "replacement": {"type": "string", "maxLength": 64}}}]}}}},
            "audience": {"type": "string", "minLength": 1, "maxLength": 300},
            "rules": )" DOMAIN_RULES_CONFIG_SCHEMA R"(}}})";

struct BannedWord {
  std::string word;
  std::string replacement;  // empty: the word is removed
};

std::vector<BannedWord> parse_banned_words(const Json& brand) {
  std::vector<BannedWord> out;
  const auto list = brand.find("banned_words");
  if (list == brand.end()) return out;
  const std::string what = "content_creator config brand.banned_words";
  if (!list->is_array() || list->size() > 200) {
    throw Error(AGENT_ERR_INVALID_INPUT, what + " must be an array of at most 200 entries");
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Json& entry = (*list)[i];
    const std::string at = what + "[" + std::to_string(i) + "]";
    BannedWord banned;
    if (entry.is_string()) {
      banned.word = entry.get<std::string>();
    } else if (entry.is_object()) {
      domain_rules::expect_only_keys(entry, {"word", "replacement"}, at);
      banned.word = domain_rules::optional_string(entry, "word", "", 64, at);
      const auto replacement = entry.find("replacement");
      if (replacement == entry.end() || !replacement->is_string()) {
        throw Error(AGENT_ERR_INVALID_INPUT, at + ": \"replacement\" must be a string");
      }
      banned.replacement = replacement->get<std::string>();
    } else {
      throw Error(AGENT_ERR_INVALID_INPUT,
                  at + " must be a string or an object {\"word\", \"replacement\"}");
    }
    if (banned.word.empty() || banned.word.size() > 64) {
      throw Error(AGENT_ERR_INVALID_INPUT, at + ": the word must be 1..64 bytes");
    }
    out.push_back(std::move(banned));
  }
  return out;
}

// One rewrite rule per banned word, so the brand-check note can name each change.
Json banned_word_rule(const BannedWord& banned, std::size_t index) {
  Json rule = {{"id", "brand-banned-word-" + std::to_string(index + 1)}, {"action", "rewrite"}};
  const std::string pattern = domain_rules::whole_phrase_pattern(banned.word);
  if (banned.replacement.empty()) {
    // Take one preceding space along, so removal leaves no double space behind.
    rule["pattern"] = "\\s?" + pattern;
    rule["replacement"] = "";
    rule["note"] = "removed the banned word \"" + banned.word + "\"";
  } else {
    rule["pattern"] = pattern;
    // Literal text: "$" would otherwise be read as a group reference.
    std::string replacement;
    for (const char c : banned.replacement) replacement += c == '$' ? "$$" : std::string(1, c);
    rule["replacement"] = replacement;
    rule["note"] =
        "replaced the banned word \"" + banned.word + "\" with \"" + banned.replacement + "\"";
  }
  return rule;
}

domain_rules::DomainSpec make_spec(const Json& config) {
  const std::string what = "content_creator config";
  domain_rules::expect_only_keys(config, {"brand", "audience", "rules"}, what);
  Json brand = Json::object();
  if (const auto it = config.find("brand"); it != config.end()) {
    if (!it->is_object())
      throw Error(AGENT_ERR_INVALID_INPUT, what + ": \"brand\" must be an object");
    brand = *it;
    domain_rules::expect_only_keys(brand, {"name", "voice", "banned_words"}, what + " brand");
  }
  const std::string name = domain_rules::optional_string(brand, "name", "", 100, what + " brand");
  const std::string voice = domain_rules::optional_string(brand, "voice", "", 300, what + " brand");
  const std::string audience = domain_rules::optional_string(config, "audience", "", 300, what);
  const std::vector<BannedWord> banned = parse_banned_words(brand);

  Json data = domain_rules::parse_builtin(kData);
  Json rules = std::move(data.at("rules"));
  for (std::size_t i = 0; i < banned.size(); ++i) {
    rules["output"].push_back(banned_word_rule(banned[i], i));
  }
  // Only when a guideline was enforced: the note then lists exactly what changed.
  std::string label = "Brand check";
  if (!name.empty()) label += " for " + name;
  if (!audience.empty()) label += " (audience: " + audience + ")";
  rules["output"].push_back({{"id", "brand-check-note"},
                             {"action", "append"},
                             {"if_rewritten", true},
                             {"text", label + ": {changes}."},
                             {"note", "appended a brand-check note"}});

  domain_rules::DomainSpec spec;
  spec.id = "content_creator";
  spec.specialization = "content_marketing";
  std::string prompt = "You are a content creation agent";
  if (!name.empty()) prompt += " writing for " + name;
  prompt +=
      ". Write original, engaging copy with a strong hook and a single clear call to action, "
      "aimed at " +
      (audience.empty() ? std::string("the audience the user describes (ask when it is unclear)")
                        : audience) +
      ". ";
  prompt += voice.empty() ? "Keep one consistent voice. " : "Use the brand voice: " + voice + ". ";
  prompt += "Avoid clickbait";
  if (!banned.empty()) {
    prompt += " and never use these words: ";
    for (std::size_t i = 0; i < banned.size(); ++i) {
      prompt += (i > 0 ? ", \"" : "\"") + banned[i].word + "\"";
    }
  }
  prompt +=
      ". Never copy existing copyrighted content verbatim and never write fake reviews or "
      "testimonials. Suggest alt text for images and keep the copy accessible and easy to scan.";
  spec.system_prompt = std::move(prompt);
  spec.knowledge = data.at("knowledge").get<std::vector<std::string>>();
  spec.rules = std::move(rules);
  return spec;
}

class ContentCreator final : public domain_rules::RuleDomain {
 public:
  ContentCreator(agent_sdk::Host host, const Json& config)
      : RuleDomain(host, make_spec(config), config) {}
};

}  // namespace

AGENT_SDK_EXPORT_PLUGIN(ContentCreator, "content_creator", "1.0.0", kManifest)
