// The bundled personalities are the same class with different data: traits, tone, approach and
// a paragraph of style guidance. The description is built once at create() and never changes, so
// describe() may run concurrently.
#pragma once

#include <agent_sdk/plugin.hpp>
#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

// JSON Schema of the config every bundled personality accepts (for its manifest).
#define STATIC_PERSONALITY_CONFIG_SCHEMA                                                      \
  R"({"type": "object", "additionalProperties": false, )"                                     \
  R"("properties": {"extra_traits": {"type": "array", "maxItems": 16, "uniqueItems": true, )" \
  R"("description": "Traits added after the built-in ones, e.g. [\"concise\"]", )"            \
  R"("items": {"type": "string", "minLength": 1, "maxLength": 64}}}})"

namespace bundled_personalities {

struct PersonalityData {
  const char* id;
  const char* traits[3];
  const char* tone;
  const char* approach;
  const char* role;      // completes "You are ...", e.g. "an analytical assistant"
  const char* guidance;  // how to write in this style, addressed to the model
};

class StaticPersonality : public agent_sdk::Personality {
 public:
  static constexpr uint32_t kFlags = AGENT_PLUGIN_FLAG_THREAD_SAFE;
  static constexpr std::size_t kMaxExtraTraits = 16;
  static constexpr std::size_t kMaxTraitLength = 64;

  // Throws agent_sdk::Error(AGENT_ERR_INVALID_INPUT) on an unknown key or bad "extra_traits".
  StaticPersonality(agent_sdk::Host host, const agent_sdk::Json& config,
                    const PersonalityData& data)
      : Personality(host) {
    std::vector<std::string> traits(std::begin(data.traits), std::end(data.traits));
    for (const auto& item : config.items()) {
      if (item.key() != "extra_traits") {
        invalid(data, "unknown key \"" + item.key() + "\" (allowed: extra_traits)");
      }
    }
    if (const auto extra = config.find("extra_traits"); extra != config.end()) {
      if (!extra->is_array() || extra->size() > kMaxExtraTraits) {
        invalid(data, "\"extra_traits\" must be an array of at most " +
                          std::to_string(kMaxExtraTraits) + " strings");
      }
      for (const auto& trait : *extra) {
        if (!trait.is_string() || trait.get_ref<const std::string&>().empty() ||
            trait.get_ref<const std::string&>().size() > kMaxTraitLength) {
          invalid(data, "every \"extra_traits\" entry must be a non-empty string of at most " +
                            std::to_string(kMaxTraitLength) + " bytes");
        }
        // A repeated trait adds nothing to the prompt; keep the first.
        if (std::find(traits.begin(), traits.end(), trait.get<std::string>()) == traits.end()) {
          traits.push_back(trait.get<std::string>());
        }
      }
    }

    std::string trait_list;
    for (const std::string& trait : traits) {
      trait_list += (trait_list.empty() ? "" : ", ") + trait;
    }
    std::string prompt = std::string("You are ") + data.role + ". Your traits: " + trait_list +
                         ". Use " + with_article(data.tone) + " tone and " +
                         with_article(data.approach) + " approach. " + data.guidance;
    description_ = {{"id", data.id},
                    {"traits", traits},
                    {"tone", data.tone},
                    {"approach", data.approach},
                    {"system_prompt", prompt}};
  }

  // {"id", "traits", "tone", "approach", "system_prompt"}
  agent_sdk::Json describe() override { return description_; }

 private:
  static std::string with_article(const std::string& word) {
    const bool vowel =
        !word.empty() && std::string("aeiou").find(word.front()) != std::string::npos;
    return (vowel ? "an " : "a ") + word;
  }

  [[noreturn]] static void invalid(const PersonalityData& data, const std::string& what) {
    throw agent_sdk::Error(AGENT_ERR_INVALID_INPUT, std::string(data.id) + " config: " + what);
  }

  agent_sdk::Json description_;
};

}  // namespace bundled_personalities
