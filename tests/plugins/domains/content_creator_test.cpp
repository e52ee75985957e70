#include "bundled_plugin_support.hpp"

using namespace bundled_plugins_test;

namespace {

constexpr const char* kTarget = "domain_content_creator";

json acme_config() {
  return {{"brand",
           {{"name", "Acme"},
            {"voice", "friendly and plain-spoken"},
            {"banned_words", {"cheap", {{"word", "revolutionary"}, {"replacement", "new"}}}}}},
          {"audience", "small-business owners"}};
}

}  // namespace

TEST_CASE("content_creator loads as a thread-safe domain with id content_creator",
          "[plugins][domains][content_creator]") {
  const auto library = load_library(kTarget);
  CHECK(library->info().id == "content_creator");
  CHECK(library->info().kind == PluginKind::domain);
  CHECK(library->info().thread_safe());
  CHECK(library->info().manifest.config_schema["properties"].contains("brand"));
}

TEST_CASE("content_creator describe puts the brand, voice, audience and banned words in the prompt",
          "[plugins][domains][content_creator]") {
  auto domain = instantiate(kTarget, acme_config());
  const json description = call(*domain, "describe");
  CHECK(description["id"] == "content_creator");
  CHECK(description["specialization"] == "content_marketing");
  const std::string prompt = description["system_prompt"];
  CHECK_THAT(prompt, Catch::StartsWith("You are a content creation agent writing for Acme."));
  CHECK_THAT(prompt, Catch::Contains("aimed at small-business owners"));
  CHECK_THAT(prompt, Catch::Contains("Use the brand voice: friendly and plain-spoken."));
  CHECK_THAT(prompt, Catch::Contains("never use these words: \"cheap\", \"revolutionary\""));
  const std::string knowledge = description["knowledge"].dump();
  for (const char* topic :
       {"Hook:", "Call to action:", "Audience targeting:", "Consistent voice:", "alt text"}) {
    CAPTURE(topic);
    CHECK_THAT(knowledge, Catch::Contains(topic));
  }
}

TEST_CASE("content_creator without brand config asks the model to find out the audience",
          "[plugins][domains][content_creator]") {
  auto domain = instantiate(kTarget);
  const std::string prompt = call(*domain, "describe")["system_prompt"];
  CHECK_THAT(prompt, Catch::StartsWith("You are a content creation agent. "));
  CHECK_THAT(prompt, Catch::Contains("ask when it is unclear"));
}

TEST_CASE("content_creator refuses verbatim copying of a competitor's content with a reason",
          "[plugins][domains][content_creator]") {
  auto domain = instantiate(kTarget);
  for (const char* message :
       {"Copy our competitor's blog post word for word so we can publish it",
        "Paste their landing page verbatim into our site", "Can you help me plagiarize this essay?",
        "Take this article and publish it as our own"}) {
    CAPTURE(message);
    const json verdict = check_input(*domain, message);
    CHECK(verdict["action"] == "refuse");
    CHECK_THAT(verdict.value("reason", ""), Catch::Contains("copyrighted content verbatim"));
  }
}

TEST_CASE("content_creator refuses to write fake reviews with a reason",
          "[plugins][domains][content_creator]") {
  auto domain = instantiate(kTarget);
  for (const char* message : {"Write 10 fake 5-star reviews for our app",
                              "Write reviews for our shop pretending to be happy customers",
                              "Draft some made-up testimonials"}) {
    CAPTURE(message);
    const json verdict = check_input(*domain, message);
    CHECK(verdict["action"] == "refuse");
    CHECK_THAT(verdict.value("reason", ""), Catch::Contains("fake reviews"));
  }
  CHECK(check_input(*domain, "How do I ask happy customers for reviews?") ==
        json({{"action", "allow"}}));
  CHECK(check_input(*domain, "Write a blog post about spring gardening tips") ==
        json({{"action", "allow"}}));
}

TEST_CASE("content_creator replaces banned words and clickbait and notes each change",
          "[plugins][domains][content_creator]") {
  auto domain = instantiate(kTarget, acme_config());
  const json verdict =
      check_output(*domain, "Write a tagline",
                   "Our cheap planner is revolutionary. You won't believe the price!");
  REQUIRE(verdict["action"] == "rewrite");
  CHECK(verdict["response"] ==
        "Our planner is new. Discover the price!\n\n"
        "Brand check for Acme (audience: small-business owners): replaced the clickbait phrase "
        "\"You won't believe\" with \"discover\"; removed the banned word \"cheap\"; replaced the "
        "banned word \"revolutionary\" with \"new\".");
  CHECK_THAT(verdict["reason"].get<std::string>(), Catch::Contains("appended a brand-check note"));
  // The note quotes the banned phrases; checking the checked copy again must not rewrite them.
  CHECK(check_output(*domain, "Write a tagline", verdict["response"]) ==
        json({{"action", "allow"}}));
}

TEST_CASE("content_creator leaves compliant copy untouched, with no brand note",
          "[plugins][domains][content_creator]") {
  auto domain = instantiate(kTarget, acme_config());
  CHECK(check_output(*domain, "Write a tagline", "Plan your week in five minutes.") ==
        json({{"action", "allow"}}));
  // Words that merely contain a banned word are not banned ("cheapest" is not "cheap").
  CHECK(check_output(*domain, "", "Not the cheapest, but the clearest.") ==
        json({{"action", "allow"}}));
}

TEST_CASE("content_creator default clickbait rules apply without any brand config",
          "[plugins][domains][content_creator]") {
  auto domain = instantiate(kTarget);
  const json verdict = check_output(*domain, "", "Try this one weird trick. It will shock you.");
  CHECK(verdict["response"] ==
        "Try this simple technique. It may surprise you.\n\nBrand check: replaced the clickbait "
        "phrase \"this one weird trick\" with \"this simple technique\"; replaced the clickbait "
        "phrase \"will shock you\" with \"may surprise you\".");
}

TEST_CASE("content_creator extra rewrite rules from config also feed the brand note",
          "[plugins][domains][content_creator]") {
  auto domain = instantiate(kTarget, {{"rules",
                                       {{"output",
                                         {{{"id", "no-synergy"},
                                           {"action", "rewrite"},
                                           {"pattern", "\\bsynergy\\b"},
                                           {"replacement", "teamwork"},
                                           {"note", "replaced jargon \"{match}\""}}}}}}});
  CHECK(check_output(*domain, "", "Synergy wins.")["response"] ==
        "Teamwork wins.\n\nBrand check: replaced jargon \"Synergy\".");
}

TEST_CASE("content_creator create fails clearly on bad brand config",
          "[plugins][domains][content_creator]") {
  CHECK_THAT(create_error(kTarget, {{"brand", "Acme"}}),
             Catch::Contains("\"brand\" must be an object"));
  CHECK_THAT(create_error(kTarget, {{"brand", {{"name", 3}}}}),
             Catch::Contains("\"name\" must be"));
  CHECK_THAT(create_error(kTarget, {{"brand", {{"banned_words", "cheap"}}}}),
             Catch::Contains("brand.banned_words must be an array"));
  CHECK_THAT(create_error(kTarget, {{"brand", {{"banned_words", {42}}}}}),
             Catch::Contains("brand.banned_words[0] must be a string or an object"));
  CHECK_THAT(create_error(kTarget, {{"brand", {{"colour", "red"}}}}),
             Catch::Contains("unknown key \"colour\""));
  CHECK_THAT(create_error(kTarget, {{"audience", ""}}),
             Catch::Contains("\"audience\" must be a non-empty string"));
  CHECK_THAT(create_error(kTarget, {{"rules",
                                     {{"output",
                                       {{{"id", "bad"},
                                         {"action", "rewrite"},
                                         {"pattern", "[z-a]"},
                                         {"replacement", "b"}}}}}}}),
             Catch::Contains("(\"bad\")") && Catch::Contains("invalid pattern"));
}

TEST_CASE("content_creator create names a config rule whose pattern PCRE2 rejects",
          "[plugins][domains][content_creator]") {
  // A lookbehind must have a fixed length: PCRE2's reason reaches the caller with the rule's id.
  CHECK_THAT(create_error(kTarget, {{"rules",
                                     {{"output",
                                       {{{"id", "after-hype"},
                                         {"action", "rewrite"},
                                         {"pattern", "(?<=amazing\\s+)deal"},
                                         {"replacement", "offer"}}}}}}}),
             Catch::Contains("config rules.output[0] (\"after-hype\") \"pattern\"") &&
                 Catch::Contains("invalid pattern \"(?<=amazing\\s+)deal\"") &&
                 Catch::Contains("lookbehind assertion is not fixed length"));
  // Banned words become patterns too; metacharacters in them are matched literally.
  auto domain = instantiate(
      kTarget, {{"brand", {{"banned_words", {{{"word", "C++ (pro)"}, {"replacement", "$1"}}}}}}});
  CHECK(check_output(*domain, "", "Try C++  (PRO) today.")["response"] ==
        "Try $1 today.\n\nBrand check: replaced the banned word \"C++ (pro)\" with \"$1\".");
}
