// technical_support: accuracy and a step-by-step approach (the original design's third domain).
// Refuses licence cracking and requests to disable security controls, redacts passwords and API
// keys from what the user typed, turns prose answers into numbered steps and asks for the details
// (OS, version, exact error) the user left out.
#include <agent_sdk/plugin.hpp>
#include <string>
#include <utility>

#include "rules/rule_domain.hpp"

namespace {

using agent_sdk::Json;

// Knowledge and rules as data; the rule format is documented in rules/rule_engine.hpp.
constexpr const char kData[] = R"json({
  "knowledge": [
    "Reproduce first: write down the exact steps that trigger the problem and whether it happens every time; a reliable reproduction makes every later fix verifiable.",
    "Read the exact error message and code, then check the logs around the time of the failure: Event Viewer on Windows, Console on macOS, journalctl or /var/log on Linux, or the application's own log folder.",
    "Restart the application, then the device: it clears stuck processes, locked files and stale network state, and it is the least invasive fix.",
    "Update the operating system, drivers and the application, and check the vendor's known-issues page; many problems are already fixed in a newer version.",
    "Isolate the cause by changing one thing at a time: try another user profile, safe mode or a different network, or disable recently added extensions and plug-ins.",
    "For connection problems check the basics: cables and Wi-Fi, whether other sites or devices work, DNS (try another resolver), and proxy or VPN settings.",
    "Back up important data before invasive steps such as reinstalling, resetting to factory settings or editing the registry or configuration files.",
    "Escalate with evidence: when a fix is beyond self-service, open a ticket with the product version, operating system, exact error, logs and the steps already tried."
  ],
  "rules": {
    "input": [
      {
        "id": "no-licence-bypass",
        "action": "refuse",
        "pattern": [
          "(^|[^\\w-])(keygen|warez|nulled)\\b",
          "\\b(licen[cs]e|serial|product|activation)[- ]key\\s{1,3}generator\\b",
          "\\bcrack(ed|ing)?\\s{1,3}([\\w-]{1,20}\\s{1,3}){0,2}(software|program|app|application|game|licen[cs]e|activation|serial|windows|office|photoshop|version|copy|dll)\\b",
          "\\b(bypass|circumvent|get around|defeat|hack|crack|skip|disable)\\b[^.?!\\n]{0,40}\\b(licen[cs](e|ing)|activation|product key|serial (number|key)|drm|copy protection|paywall)\\b",
          "\\b(reset|restart|bypass|extend)\\b[^.?!\\n]{0,20}\\btrial( period| limit)?\\b[^.?!\\n]{0,20}\\b(forever|again|without paying|indefinitely)\\b",
          "\\b(free|without paying)\\b[^.?!\\n]{0,20}\\b(licen[cs]e|product|activation|serial) keys?\\b"
        ],
        "reason": "I can't help bypass software licensing or activation, or use cracks and key generators: that breaks the licence agreement and cracked software often carries malware. I can help you activate a legitimate licence, use a free trial, or find free and open-source alternatives."
      },
      {
        "id": "no-security-bypass",
        "action": "refuse",
        "pattern": [
          "\\b(bypass|circumvent|get around|defeat|evade|hack|break|crack)\\b[^.?!\\n]{0,40}\\b(antivirus|anti-virus|firewall|edr|security|secure boot|uac|bitlocker|mfa|2fa|two[- ]factor|admin(istrator)? (rights|password|restrictions?)|parental controls?|group polic(y|ies)|content filter|web filter)",
          "\\b(disable|turn off|kill|uninstall|stop|remove)\\b[^.?!\\n]{0,40}\\b(company|corporate|work|school|employer|office|managed|it department)\\b[^.?!\\n]{0,30}\\b(antivirus|anti-virus|security|monitoring|firewall|edr|endpoint|mdm)",
          "\\b(disable|turn off|kill)\\b[^.?!\\n]{0,30}\\b(edr|endpoint (protection|detection)|audit log(ging|s)?|security monitoring|tamper protection)\\b"
        ],
        "reason": "I can't help disable or get around security controls. If a security tool is blocking legitimate work, I can help you gather the details to send to your IT or security team so they can grant a supported exception."
      },
      {
        "id": "redact-password",
        "action": "rewrite",
        "pattern": "\\b(password|passwd|pwd|passphrase|passcode|pin)(\\s{1,3}(?:is|was)\\s{1,3}|\\s{0,3}[:=]\\s{0,3})(?!(?:not|too|wrong|incorrect|correct|invalid|expired|required|being|the|still|also|very|reset|changed|definitely|probably|fine|ok|okay|right|case|empty|blank|long|short|weak|strong)\\b)(\"[^\"]{1,100}\"|'[^']{1,100}'|[^\\s,;]{1,100})",
        "replacement": "$1$2[removed]",
        "note": "removed a password from your message; never share passwords, not even with support"
      },
      {
        "id": "redact-api-key",
        "action": "rewrite",
        "pattern": "\\b(api[_ -]?key|access[_ -]?token|secret[_ -]?key|auth[_ -]?token|client[_ -]?secret)(\\s{0,3}[:=]\\s{0,3}|\\s{1,3}is\\s{1,3})(\"[^\"]{1,200}\"|'[^']{1,200}'|[^\\s,;]{8,200})",
        "replacement": "$1$2[removed]",
        "note": "removed an API key or token from your message; revoke it if it was real"
      }
    ],
    "output": [
      {
        "id": "no-licence-keys",
        "action": "refuse",
        "pattern": "\\b[a-z0-9]{5}(-[a-z0-9]{5}){4}\\b",
        "reason": "The drafted answer contained what looks like a software licence key, which I can't share. Licence keys come from the vendor or your organisation's licensing portal."
      },
      {
        "id": "numbered-steps",
        "action": "number_steps",
        "min_sentences": 2,
        "note": "formatted the answer as numbered steps"
      },
      {
        "id": "ask-for-missing-details",
        "action": "ask_missing",
        "message_pattern": "\\b(error|fail(s|ed|ing|ure)?|crash(es|ed|ing)?|broken|not working|doesn'?t work|does not work|won'?t|can'?t|cannot|unable|issue|problem|bug|freez(e|es|ing)|froze|slow|stuck|hang(s|ing)?|how (do|can|to)|install|update|upgrade)\\b",
        "intro": "To help further, please tell me:",
        "details": [
          {
            "pattern": "\\b(windows|win ?(7|8|10|11|xp)|mac ?os|os ?x|macbook|imac|mac mini|linux|ubuntu|debian|fedora|centos|red ?hat|rhel|arch|mint|suse|android|ios|iphone|ipad|chrome ?os|chromebook|freebsd)\\b",
            "ask": "your operating system and version (for example Windows 11 23H2 or macOS 14.4)"
          },
          {
            "pattern": "\\b(version|v\\d{1,4}|\\d{1,4}\\.\\d{1,4}(\\.\\d{1,6})?|build \\d{1,8})\\b",
            "ask": "the version of the software involved"
          },
          {
            "pattern": [
              "\"[^\"\\n]{3,200}\"",
              "\\b0x[0-9a-f]{4,16}\\b",
              "\\b(error|code|errno|exit (code|status)|status)\\s{0,3}[:#]?\\s{0,3}-?\\d{1,10}\\b",
              "\\berror:\\s{0,3}\\S",
              "\\b\\w{1,40}(exception|error)\\b"
            ],
            "ask": "the exact error message, copied word for word"
          },
          {
            "pattern": "\\b(tried|already|restarted|rebooted|reinstalled|updated|cleared|checked)\\b",
            "ask": "what you have already tried"
          }
        ],
        "note": "asked for the missing details"
      }
    ]
  }
})json";

constexpr const char kManifest[] =
    R"({"description": "Technical support domain: accurate, step-by-step help. Refuses licence cracking and disabling security controls, redacts passwords and API keys, formats answers as numbered steps and asks for missing details (OS, version, exact error).",
        "capabilities": ["describe", "check_input", "check_output", "redaction", "step_by_step"],
        "config_schema": {"type": "object", "additionalProperties": false,
          "properties": {
            "product": {"type": "string", "minLength": 1, "maxLength": 100,
                        "description": "The product supported, named in the system prompt"},
            "rules": )" DOMAIN_RULES_CONFIG_SCHEMA R"(}}})";

domain_rules::DomainSpec make_spec(const Json& config) {
  const std::string what = "technical_support config";
  domain_rules::expect_only_keys(config, {"product", "rules"}, what);
  const std::string product = domain_rules::optional_string(config, "product", "", 100, what);
  Json data = domain_rules::parse_builtin(kData);

  domain_rules::DomainSpec spec;
  spec.id = "technical_support";
  spec.specialization = "technical_troubleshooting";
  spec.system_prompt =
      "You are a technical support agent" + (product.empty() ? "" : " for " + product) +
      ". Be accurate: when you are not sure, say so and explain how to find out rather than "
      "guessing. Give numbered, step-by-step instructions the user can follow and check one at a "
      "time, starting with the least invasive fix, and say what the user should see after each "
      "step. Ask for the operating system and version, the software version and the exact error "
      "message when they are missing. Never help bypass licensing or disable security controls, "
      "and never ask for passwords.";
  spec.knowledge = data.at("knowledge").get<std::vector<std::string>>();
  spec.rules = std::move(data.at("rules"));
  return spec;
}

class TechnicalSupport final : public domain_rules::RuleDomain {
 public:
  TechnicalSupport(agent_sdk::Host host, const Json& config)
      : RuleDomain(host, make_spec(config), config) {}
};

}  // namespace

AGENT_SDK_EXPORT_PLUGIN(TechnicalSupport, "technical_support", "1.0.0", kManifest)
