// offline: the embedded default provider. It calls no language model and no network: it composes
// a deterministic answer from the agent's personality (tone, traits, approach), its domain
// (specialization and the knowledge items that share the most words with the user's question) and
// the conversation, and says so on its first line. It exists so a fresh install answers at once
// and so tests and demos are reproducible; it must never pass itself off as an LLM.
//
// Token counts are an estimate, documented in the manifest: one token per four Unicode code
// points of each message's content, rounded up per message.
#include <agent_sdk/plugin.hpp>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace {

using agent_sdk::Error;
using agent_sdk::Json;

constexpr const char kFirstLine[] =
    "[offline provider] No language model was called; this answer is composed from the agent's "
    "personality and domain knowledge.";

constexpr const char kManifest[] =
    R"({"description": "Offline provider: the embedded default. Calls no language model and no network; composes a deterministic answer from the agent's personality, its domain knowledge and the conversation, and says so on its first line.",
        "capabilities": ["complete", "streaming", "deterministic", "no_network"],
        "token_estimate": "ceil(code points / 4) per message content",
        "config_schema": {"type": "object", "additionalProperties": false,
          "properties": {"max_knowledge_items": {"type": "integer", "minimum": 1, "maximum": 10,
            "default": 3,
            "description": "How many domain knowledge items an answer quotes at most"}}}})";

// Words too common to say anything about relevance.
// Kept in strcmp order: stems() binary-searches it (the constructor checks the order).
constexpr const char* kStopWords[] = {
    "about", "after",  "also",   "and",   "any",   "are",   "been",  "but",    "can",  "could",
    "did",   "does",   "doing",  "for",   "from",  "get",   "got",   "had",    "has",  "have",
    "help",  "her",    "his",    "how",   "into",  "its",   "just",  "know",   "like", "make",
    "many",  "more",   "most",   "much",  "need",  "not",   "now",   "off",    "one",  "our",
    "out",   "please", "should", "some",  "tell",  "than",  "thank", "thanks", "that", "the",
    "their", "them",   "then",   "there", "these", "they",  "this",  "those",  "very", "want",
    "was",   "way",    "were",   "what",  "when",  "where", "which", "while",  "who",  "why",
    "will",  "with",   "would",  "you",   "your"};

struct Message {
  std::string role;
  std::string content;
};

[[noreturn]] void invalid(const std::string& what) { throw Error(AGENT_ERR_INVALID_INPUT, what); }

// A message's text: a string, null (e.g. an assistant turn that only called tools), or an array
// of {"type": "text", "text"} parts as OpenAI-style clients send.
std::string text_of(const Json& content, std::size_t index) {
  if (content.is_string()) return content.get<std::string>();
  if (content.is_null()) return {};
  if (content.is_array()) {
    std::string text;
    for (const Json& part : content) {
      if (part.is_object() && part.value("type", "") == "text" && part.contains("text") &&
          part["text"].is_string()) {
        text += part["text"].get<std::string>();
      }
    }
    return text;
  }
  invalid("messages[" + std::to_string(index) + "].content must be a string or an array of parts");
}

std::vector<Message> parse_messages(const Json& input) {
  const auto list = input.find("messages");
  if (list == input.end() || !list->is_array() || list->empty()) {
    invalid("\"messages\" must be a non-empty array of {\"role\", \"content\"}");
  }
  std::vector<Message> messages;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Json& item = (*list)[i];
    if (!item.is_object() || !item.contains("role") || !item["role"].is_string()) {
      invalid("messages[" + std::to_string(i) + "] needs a string \"role\"");
    }
    messages.push_back(
        Message{item["role"].get<std::string>(), text_of(item.value("content", Json()), i)});
  }
  return messages;
}

std::size_t code_points(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // not a continuation byte
  }));
}

std::size_t estimate_tokens(const std::string& text) { return (code_points(text) + 3) / 4; }

// The first `limit` code points of `text`, never cutting a UTF-8 sequence.
std::string prefix_code_points(const std::string& text, std::size_t limit) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (seen == limit) return text.substr(0, i);
      ++seen;
    }
  }
  return text;
}

// The question in one line, shortened for quoting.
std::string quote(const std::string& text) {
  std::string flat;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
    if (space) {
      if (!flat.empty() && flat.back() != ' ') flat += ' ';
    } else {
      flat += c;
    }
  }
  while (!flat.empty() && flat.back() == ' ') flat.pop_back();
  constexpr std::size_t kLimit = 100;
  if (code_points(flat) <= kLimit) return "\"" + flat + "\"";
  return "\"" + prefix_code_points(flat, kLimit - 3) + "...\"";
}

bool precedes(const char* a, const char* b) { return std::strcmp(a, b) < 0; }

// Crude stems for word overlap: lower-case runs of letters and digits (bytes >= 0x80 count as
// letters), at least three long, no stop words; long words are cut to six characters so that
// "diversify" meets "diversification" and "invest" meets "investing".
std::vector<std::string> stems(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  const auto flush = [&] {
    if (word.size() >= 3 &&
        !std::binary_search(std::begin(kStopWords), std::end(kStopWords), word.c_str(), precedes)) {
      if (word.size() >= 6) {
        word.resize(6);
      } else if (word.size() > 3 && word.back() == 's') {
        word.pop_back();
      }
      out.push_back(word);
    }
    word.clear();
  };
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9') || byte >= 0x80) {
      word += c;
    } else if (byte >= 'A' && byte <= 'Z') {
      word += static_cast<char>(byte - 'A' + 'a');
    } else {
      flush();
    }
  }
  flush();
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

struct Selection {
  std::vector<std::string> items;
  bool matched = false;  // false: nothing overlapped, items are the first ones in order
};

// The knowledge items sharing the most stems with `question`; ties keep the domain's order.
Selection select_knowledge(const std::vector<std::string>& knowledge, const std::string& question,
                           std::size_t limit) {
  const std::vector<std::string> wanted = stems(question);
  std::vector<std::pair<std::size_t, std::size_t>> scored;  // (score, index)
  for (std::size_t i = 0; i < knowledge.size(); ++i) {
    const std::vector<std::string> have = stems(knowledge[i]);
    std::vector<std::string> common;
    std::set_intersection(wanted.begin(), wanted.end(), have.begin(), have.end(),
                          std::back_inserter(common));
    scored.emplace_back(common.size(), i);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  Selection selection;
  selection.matched = !scored.empty() && scored.front().first > 0;
  for (const auto& [score, index] : scored) {
    if (selection.items.size() == limit || (selection.matched && score == 0)) break;
    selection.items.push_back(knowledge[index]);
  }
  return selection;
}

std::string with_article(const std::string& word) {
  const bool vowel =
      !word.empty() && std::string("aeiouAEIOU").find(word.front()) != std::string::npos;
  return (vowel ? "an " : "a ") + word;
}

std::string readable(std::string identifier) {
  std::replace(identifier.begin(), identifier.end(), '_', ' ');
  return identifier;
}

// An opening in the personality's tone, for the bundled tones; other tones get none.
std::string tone_opener(const std::string& tone) {
  if (tone == "professional") return "Here is a structured summary of the relevant evidence.";
  if (tone == "enthusiastic") return "Great question, and there is plenty to build on here!";
  if (tone == "warm")
    return "Thanks for asking; let's go through this together, one step at a time.";
  return {};
}

std::string string_field(const Json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) return {};
  if (!it->is_string()) invalid(where + "." + key + " must be a string");
  return it->get<std::string>();
}

std::vector<std::string> string_list(const Json& object, const char* key,
                                     const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) return {};
  if (!it->is_array()) invalid(where + "." + key + " must be an array of strings");
  std::vector<std::string> out;
  for (const Json& item : *it) {
    if (!item.is_string()) invalid(where + "." + key + " must be an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

// The agent block part `key` ("personality" or "domain"), or null when absent.
Json agent_part(const Json& input, const char* key) {
  const auto agent = input.find("agent");
  if (agent == input.end() || agent->is_null()) return nullptr;
  if (!agent->is_object()) invalid("\"agent\" must be an object");
  const auto part = agent->find(key);
  if (part == agent->end() || part->is_null()) return nullptr;
  if (!part->is_object()) invalid(std::string("agent.") + key + " must be an object");
  return *part;
}

class Offline final : public agent_sdk::Provider {
 public:
  static constexpr uint32_t kFlags = AGENT_PLUGIN_FLAG_THREAD_SAFE;

  Offline(agent_sdk::Host host, const Json& config) : Provider(host) {
    if (!std::is_sorted(std::begin(kStopWords), std::end(kStopWords), precedes)) {
      throw agent_sdk::Error(AGENT_ERR_INTERNAL, "offline: the stop-word list is not sorted");
    }
    for (const auto& item : config.items()) {
      if (item.key() != "max_knowledge_items") {
        invalid("offline config: unknown key \"" + item.key() +
                "\" (allowed: max_knowledge_items)");
      }
    }
    if (const auto it = config.find("max_knowledge_items"); it != config.end()) {
      if (!it->is_number_unsigned() || it->get<std::size_t>() < 1 || it->get<std::size_t>() > 10) {
        invalid("offline config: \"max_knowledge_items\" must be an integer from 1 to 10");
      }
      max_items_ = it->get<std::size_t>();
    }
  }

  Json complete(const Json& input, agent_sdk::Call& call) override {
    const std::vector<Message> messages = parse_messages(input);
    std::size_t max_tokens = 0;  // 0: no limit
    if (const auto options = input.find("options"); options != input.end() && !options->is_null()) {
      if (!options->is_object()) invalid("\"options\" must be an object");
      if (const auto it = options->find("max_tokens"); it != options->end() && !it->is_null()) {
        if (!it->is_number_unsigned() || it->get<std::size_t>() == 0) {
          invalid("options.max_tokens must be a positive integer");
        }
        max_tokens = it->get<std::size_t>();
      }
    }

    std::string content = compose(messages, input);
    std::string finish_reason = "stop";
    if (max_tokens != 0 && estimate_tokens(content) > max_tokens) {
      content = prefix_code_points(content, max_tokens * 4);
      finish_reason = "length";
    }
    stream(content, call);

    std::size_t prompt_tokens = 0;
    for (const Message& message : messages) prompt_tokens += estimate_tokens(message.content);
    const std::size_t completion_tokens = estimate_tokens(content);
    return {{"message", {{"role", "assistant"}, {"content", content}}},
            {"usage",
             {{"prompt_tokens", prompt_tokens},
              {"completion_tokens", completion_tokens},
              {"total_tokens", prompt_tokens + completion_tokens}}},
            {"model", "offline"},
            {"finish_reason", finish_reason}};
  }

 private:
  std::string compose(const std::vector<Message>& messages, const Json& input) const {
    // The question is the last user turn; the one before it, if any, is the earlier question.
    std::vector<const Message*> user_turns;
    for (const Message& message : messages) {
      if (message.role == "user") user_turns.push_back(&message);
    }
    if (user_turns.empty()) invalid("\"messages\" has no message with role \"user\"");
    const std::string& question = user_turns.back()->content;

    std::vector<std::string> lines{kFirstLine, ""};
    if (user_turns.size() > 1) {
      lines.push_back("Following up on your earlier question about " +
                      quote(user_turns[user_turns.size() - 2]->content) +
                      ", you now asked: " + quote(question) + ".");
    } else {
      lines.push_back("You asked: " + quote(question) + ".");
    }

    const Json personality = agent_part(input, "personality");
    if (!personality.is_null()) {
      const std::string where = "agent.personality";
      const std::string id = string_field(personality, "id", where);
      const std::string tone = string_field(personality, "tone", where);
      const std::string approach = string_field(personality, "approach", where);
      const std::vector<std::string> traits = string_list(personality, "traits", where);
      std::string style = tone_opener(tone);
      std::string about =
          "Answering as the " + (id.empty() ? std::string("configured") : id) + " personality";
      if (!traits.empty()) {
        about += " (";
        for (std::size_t i = 0; i < traits.size(); ++i) about += (i > 0 ? ", " : "") + traits[i];
        about += ")";
      }
      if (!tone.empty()) about += " in " + with_article(tone) + " tone";
      if (!approach.empty())
        about += (tone.empty() ? " with " : ", with ") + with_article(approach) + " approach";
      lines.push_back("");
      lines.push_back(style.empty() ? about + "." : style + " " + about + ".");
    }

    lines.push_back("");
    const Json domain = agent_part(input, "domain");
    const std::vector<std::string> knowledge =
        domain.is_null() ? std::vector<std::string>{}
                         : string_list(domain, "knowledge", "agent.domain");
    if (knowledge.empty()) {
      lines.push_back(
          "No domain knowledge is configured for this agent, so there is nothing specific to add.");
    } else {
      std::string specialization = readable(string_field(domain, "specialization", "agent.domain"));
      if (specialization.empty())
        specialization = readable(string_field(domain, "id", "agent.domain"));
      const std::string topic = specialization.empty() ? "domain" : specialization;
      const Selection selection = select_knowledge(knowledge, question, max_items_);
      lines.push_back(selection.matched
                          ? "The " + topic + " points most relevant to your question:"
                          : "None of the " + topic +
                                " notes match your wording closely, so here are general points:");
      for (std::size_t i = 0; i < selection.items.size(); ++i) {
        lines.push_back(std::to_string(i + 1) + ". " + selection.items[i]);
      }
    }

    lines.push_back("");
    lines.push_back(
        "This offline answer only selects and arranges the agent's stored knowledge; configure a "
        "language-model provider for an answer tailored to your situation.");

    std::string content;
    for (std::size_t i = 0; i < lines.size(); ++i) content += (i > 0 ? "\n" : "") + lines[i];
    return content;
  }

  // A few deltas, one per paragraph, whose concatenation is exactly `content`.
  static void stream(const std::string& content, agent_sdk::Call& call) {
    std::size_t start = 0;
    while (start < content.size()) {
      std::size_t end = content.find("\n\n", start);
      end = end == std::string::npos ? content.size() : end + 2;
      call.throw_if_cancelled();
      if (!call.emit_delta({{"type", "text"}, {"text", content.substr(start, end - start)}})) {
        throw Error(AGENT_ERR_CANCELLED, "the host stopped reading the stream");
      }
      start = end;
    }
  }

  std::size_t max_items_ = 3;
};

}  // namespace

AGENT_SDK_EXPORT_PLUGIN(Offline, "offline", "1.0.0", kManifest)
