#include "bundled_plugin_support.hpp"

using namespace bundled_plugins_test;

namespace {

constexpr const char* kTarget = "domain_technical_support";
constexpr const char* kAllDetails =
    "My Wi-Fi keeps dropping on Windows 11 version 23H2 with error code 0x8007000d; I already "
    "restarted the router.";

}  // namespace

TEST_CASE("technical_support loads as a thread-safe domain with id technical_support",
          "[plugins][domains][technical_support]") {
  const auto library = load_library(kTarget);
  CHECK(library->info().id == "technical_support");
  CHECK(library->info().kind == PluginKind::domain);
  CHECK(library->info().thread_safe());
  CHECK(library->info().manifest.config_schema["properties"].contains("product"));
}

TEST_CASE("technical_support describe asks for accuracy and numbered steps and has real knowledge",
          "[plugins][domains][technical_support]") {
  auto domain = instantiate(kTarget, {{"product", "Acme Router X2"}});
  const json description = call(*domain, "describe");
  CHECK(description["id"] == "technical_support");
  CHECK(description["specialization"] == "technical_troubleshooting");
  const std::string prompt = description["system_prompt"];
  CHECK_THAT(prompt, Catch::StartsWith("You are a technical support agent for Acme Router X2."));
  CHECK_THAT(prompt, Catch::Contains("numbered, step-by-step instructions"));
  const std::string knowledge = description["knowledge"].dump();
  for (const char* topic : {"Reproduce first", "check the logs", "Restart the application",
                            "Update the operating system", "Back up important data"}) {
    CAPTURE(topic);
    CHECK_THAT(knowledge, Catch::Contains(topic));
  }
}

TEST_CASE("technical_support refuses licence cracking and bypass with a reason",
          "[plugins][domains][technical_support]") {
  auto domain = instantiate(kTarget);
  for (const char* message :
       {"Where can I download a keygen for Photoshop?",
        "How do I bypass the license check in WinRAR?",
        "Is there a cracked version of Office that works?", "Give me a free Windows product key",
        "How can I reset the trial period forever?"}) {
    CAPTURE(message);
    const json verdict = check_input(*domain, message);
    CHECK(verdict["action"] == "refuse");
    CHECK_THAT(verdict.value("reason", ""), Catch::Contains("bypass software licensing"));
  }
}

TEST_CASE("technical_support refuses to disable or get around security controls with a reason",
          "[plugins][domains][technical_support]") {
  auto domain = instantiate(kTarget);
  for (const char* message :
       {"How can I disable my company's security monitoring?",
        "Help me bypass the antivirus on my work laptop", "How do I get around two-factor login?",
        "Turn off EDR without IT noticing"}) {
    CAPTURE(message);
    const json verdict = check_input(*domain, message);
    CHECK(verdict["action"] == "refuse");
    CHECK_THAT(verdict.value("reason", ""), Catch::Contains("security controls"));
  }
}

TEST_CASE("technical_support allows ordinary support questions that share words with the rules",
          "[plugins][domains][technical_support]") {
  auto domain = instantiate(kTarget);
  for (const char* message :
       {"ssh-keygen fails with permission denied", "My laptop screen is cracked, what now?",
        "How do I activate my Office licence after replacing the disk?", "I forgot my password"}) {
    CAPTURE(message);
    CHECK(check_input(*domain, message) == json({{"action", "allow"}}));
  }
}

TEST_CASE("technical_support redacts passwords and API keys from the user's message and says so",
          "[plugins][domains][technical_support]") {
  auto domain = instantiate(kTarget);
  json verdict = check_input(*domain, "Login fails. password: xyz123");
  CHECK(verdict["action"] == "rewrite");
  CHECK(verdict["message"] == "Login fails. password: [removed]");
  CHECK_THAT(verdict["reason"].get<std::string>(), Catch::Contains("removed a password"));

  verdict = check_input(*domain, "My Password is hunter2 and it stopped working");
  CHECK(verdict["message"] == "My Password is [removed] and it stopped working");

  verdict = check_input(*domain, "curl says 401 with api_key=sk-abcdef1234567890");
  CHECK(verdict["message"] == "curl says 401 with api_key=[removed]");
  CHECK_THAT(verdict["reason"].get<std::string>(), Catch::Contains("API key"));

  // Describing a password is not revealing one.
  CHECK(check_input(*domain, "My password is not accepted") == json({{"action", "allow"}}));
}

TEST_CASE("technical_support rewrites a prose answer into numbered steps",
          "[plugins][domains][technical_support]") {
  auto domain = instantiate(kTarget);
  const json verdict = check_output(
      *domain, kAllDetails,
      "Open Settings. Select Network & Internet, then Wi-Fi. Turn Wi-Fi off and on again.");
  REQUIRE(verdict["action"] == "rewrite");
  // Every detail is in the user's message, so nothing is asked.
  CHECK(verdict["response"] ==
        "1. Open Settings.\n2. Select Network & Internet, then Wi-Fi.\n3. Turn Wi-Fi off and on "
        "again.");
  CHECK(verdict["reason"] == "formatted the answer as numbered steps");
}

TEST_CASE("technical_support keeps an answer that already has numbered steps",
          "[plugins][domains][technical_support]") {
  auto domain = instantiate(kTarget);
  CHECK(check_output(*domain, kAllDetails, "Try this:\n1. Restart.\n2. Update the driver.") ==
        json({{"action", "allow"}}));
}

TEST_CASE(
    "technical_support asks for the OS, version, exact error and what was tried when "
    "the user's message lacks them",
    "[plugins][domains][technical_support]") {
  auto domain = instantiate(kTarget);
  const json verdict =
      check_output(*domain, "My printer won't print.", "1. Turn the printer off and on.");
  REQUIRE(verdict["action"] == "rewrite");
  CHECK(verdict["response"] ==
        "1. Turn the printer off and on.\n\nTo help further, please tell me: your operating "
        "system and version (for example Windows 11 23H2 or macOS 14.4); the version of the "
        "software involved; the exact error message, copied word for word; what you have already "
        "tried.");
  // Asking twice would be noise: the checked answer passes unchanged.
  CHECK(check_output(*domain, "My printer won't print.", verdict["response"]) ==
        json({{"action", "allow"}}));
}

TEST_CASE("technical_support asks only for the details that are missing",
          "[plugins][domains][technical_support]") {
  auto domain = instantiate(kTarget);
  const std::string response = check_output(
      *domain, "Excel 16.78 crashes on macOS 14.4 when I open a file", "1. Restart.")["response"];
  CHECK_THAT(response, Catch::Contains("please tell me: the exact error message, copied word for "
                                       "word; what you have already tried."));
  CHECK_THAT(response, !Catch::Contains("operating system"));
  CHECK_THAT(response, !Catch::Contains("version of the software"));
}

TEST_CASE("technical_support does not ask for details after a thank-you",
          "[plugins][domains][technical_support]") {
  auto domain = instantiate(kTarget);
  CHECK(check_output(*domain, "Thanks, that fixed it!", "Glad it works now!") ==
        json({{"action", "allow"}}));
}

TEST_CASE("technical_support refuses an answer that contains a licence key",
          "[plugins][domains][technical_support]") {
  auto domain = instantiate(kTarget);
  const json verdict =
      check_output(*domain, kAllDetails, "Use the key VK7JG-NPHTM-C97JM-9MPGT-3V66T to activate.");
  CHECK(verdict["action"] == "refuse");
  CHECK_THAT(verdict.value("reason", ""), Catch::Contains("licence key"));
}

TEST_CASE("technical_support applies extra rules from config and rejects bad ones",
          "[plugins][domains][technical_support]") {
  auto domain = instantiate(
      kTarget, {{"rules",
                 {{"input",
                   {{{"id", "no-jailbreak"},
                     {"action", "refuse"},
                     {"pattern", "\\bjailbreak"},
                     {"reason", "We do not support jailbroken devices."}}}},
                  {"output",
                   {{{"id", "ticket-link"},
                     {"action", "append"},
                     {"message_pattern", "\\bstill\\b"},
                     {"text", "Still stuck? Open a ticket at support.example.com."}}}}}}});
  CHECK(check_input(*domain, "How do I jailbreak my iPhone?") ==
        json({{"action", "refuse"}, {"reason", "We do not support jailbroken devices."}}));
  const std::string response = check_output(
      *domain, "It still fails on Windows 11 version 23H2 with error 5, already rebooted",
      "1. Check the cable.")["response"];
  CHECK(response == "1. Check the cable.\n\nStill stuck? Open a ticket at support.example.com.");

  CHECK_THAT(
      create_error(
          kTarget,
          {{"rules",
            {{"output", {{{"id", "a"}, {"action", "ask_missing"}, {"details", json::array()}}}}}}}),
      Catch::Contains("\"details\" must be a non-empty array"));
  CHECK_THAT(
      create_error(
          kTarget,
          {{"rules",
            {{"output", {{{"id", "n"}, {"action", "number_steps"}, {"min_sentences", 0}}}}}}}),
      Catch::Contains("\"min_sentences\" must be a positive integer"));
  CHECK_THAT(create_error(kTarget, {{"product", json::array()}}),
             Catch::Contains("\"product\" must be"));
}
