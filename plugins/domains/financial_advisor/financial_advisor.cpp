// financial_advisor: the domain of the original design's agent_alpha ("risk assessment,
// compliance"). Refuses requests for promised returns and for insider trading or market
// manipulation, redacts card numbers and IBANs from what the user typed, softens promise language
// in answers and appends a risk disclaimer to every answer.
#include <agent_sdk/plugin.hpp>
#include <algorithm>
#include <string>
#include <utility>

#include "rules/rule_domain.hpp"

namespace {

using agent_sdk::Json;

// Knowledge and rules as data; the rule format is documented in rules/rule_engine.hpp.
constexpr const char kData[] = R"json({
  "knowledge": [
    "Diversification: spreading money across asset classes (shares, bonds, cash), regions and sectors limits the damage any single investment can do; low-cost index funds are a simple way to diversify.",
    "Risk tolerance: choose an allocation you could hold through a 30% fall in share prices without selling in panic; more shares means higher expected long-term growth but larger swings.",
    "Time horizon: money needed within about five years belongs mostly in cash or short-term bonds, while money for goals decades away, such as retirement, can take more equity risk.",
    "Fees compound like returns: a 1% yearly fee can take roughly a quarter of a portfolio's final value over 30 years, so compare expense ratios, fund charges and platform fees.",
    "Emergency fund: keep three to six months of essential expenses in an easy-access savings account before investing, so a surprise bill never forces you to sell at a loss.",
    "Rebalancing: once or twice a year, or when an asset class drifts more than about five percentage points from its target, sell some of what grew and buy what lagged to restore your chosen risk level.",
    "High-interest debt: paying off credit cards or loans charging 15-25% interest usually beats investing, because the interest saved is certain while market returns are not.",
    "Tax-advantaged accounts (workplace pensions, IRAs and 401(k)s, ISAs, depending on the country) let investments grow with less tax; use their allowances before taxable accounts."
  ],
  "rules": {
    "input": [
      {
        "id": "no-guaranteed-returns",
        "action": "refuse",
        "pattern": [
          "\\b(guarantee|promise)\\s{1,3}(me|us)\\b",
          "\\b(guarantee|promise)\\b[^.?!\\n]{0,30}\\d{1,3}(\\.\\d{1,2})?\\s{0,2}(%|percent)",
          "\\b(want|need|give me|get me|find me|show me|looking for)\\b[^.?!\\n]{0,40}\\bguaranteed\\s{1,3}([\\w-]{1,20}\\s{1,3}){0,2}(returns?|profits?|gains?|income|money)\\b",
          "\\brisk[- ]?free\\s{1,3}(profits?|returns?|gains?|money|income)\\b",
          "\\b(no|zero)[- ]risk\\s{1,3}(profits?|returns?|gains?|investments?)\\b",
          "\\b(investments?|stocks?|shares?|funds?|bets?|trades?|strateg(y|ies)|portfolios?|schemes?|plans?|coins?|crypto)\\b[^.?!\\n]{0,25}\\b(can(no|'|\u2019)?t|can not|won'?t|will not|never)\\s{1,3}lose\\b",
          "\\bcan(no|'|\u2019)?t[- ]lose\\s{1,3}(investments?|stocks?|bets?|trades?|strateg(y|ies)|opportunit(y|ies)|deals?)\\b"
        ],
        "reason": "I can't promise or guarantee investment returns: every investment carries risk, and guaranteed-profit claims are a classic sign of fraud. I can explain how to weigh risk against potential return for your goals instead."
      },
      {
        "id": "no-insider-trading-or-manipulation",
        "action": "refuse",
        "pattern": [
          "\\b(use|using|trade on|trading on|trade with|act on|acting on|profit from|profit on|get|give me|share|leak|buy on|sell on)\\b[^.?!\\n]{0,30}\\b(insider|non-?public|confidential|inside)\\s{1,3}(information|info|tips?|knowledge|data)\\b",
          "\\b(how (do|can|to|would)|help me|i want to|let'?s|can you|teach me)\\b[^.?!\\n]{0,30}\\b(insider\\s{1,3}trad|spoof|wash[- ]trad|front[- ]?run|corner the market|paint the tape)",
          "\\b(run|start|organi[sz]e|do|help me|plan|coordinate|set up)\\b[^.?!\\n]{0,30}\\bpump[- ](and|&|n)[- ]dump",
          "\\bmanipulat(e|ing)\\s{1,3}(the\\s{1,3})?([\\w-]{1,20}\\s{1,3}){0,2}(stock|share|market|price|token|coin)s?\\b",
          "\\b(told me|tipped me|tip from|heard from)\\b[^.?!\\n]{0,60}\\b(before (it'?s|it is|they|the)[^.?!\\n]{0,20}(announced|public)|not (yet )?(public|announced))"
        ],
        "reason": "I can't help with insider trading or market manipulation: trading on material non-public information or moving prices artificially is illegal. I can explain how to research companies using public information instead."
      },
      {
        "id": "redact-iban",
        "action": "rewrite",
        "pattern": "\\b[a-z]{2}\\d{2}(\\s?[a-z0-9]{4}){2,7}(\\s?[a-z0-9]{1,3})?\\b",
        "replacement": "[IBAN removed]",
        "note": "removed a bank account number (IBAN) from your message; never share account numbers in a chat"
      },
      {
        "id": "redact-card-number",
        "action": "rewrite",
        "pattern": "\\b\\d(?:[ -]?\\d){12,18}\\b",
        "replacement": "[card number removed]",
        "note": "removed a payment card number from your message; never share card details in a chat"
      }
    ],
    "output": [
      {
        "id": "soften-guaranteed-returns",
        "action": "rewrite",
        "pattern": "\\bguaranteed\\s{1,3}(returns?|profits?|gains?|income|growth)\\b",
        "replacement": "potential $1",
        "note": "replaced the promise \"{match}\" with \"potential\""
      },
      {
        "id": "soften-risk-free",
        "action": "rewrite",
        "pattern": "\\b(risk[- ]free|no[- ]risk)\\b(?!\\s{1,3}(rate|asset|interest))",
        "replacement": "lower-risk",
        "note": "replaced \"{match}\" with \"lower-risk\""
      },
      {
        "id": "soften-certainty",
        "action": "rewrite",
        "pattern": "\\bwill\\s{1,3}(definitely|certainly|surely)\\b",
        "replacement": "may",
        "note": "replaced the certainty \"{match}\" with \"may\""
      },
      {
        "id": "risk-disclaimer",
        "action": "append",
        "unless": "not\\s{1,3}personali[sz]ed\\s{1,3}financial\\s{1,3}advice",
        "text": "This is general information, not personalised financial advice. Investments can lose value; past performance does not guarantee future results. Consider consulting a licensed financial adviser.",
        "note": "appended the risk disclaimer"
      }
    ]
  }
})json";

constexpr const char kManifest[] =
    R"({"description": "Financial advisor domain: investment guidance with compliance rules (no promised returns, no insider trading or manipulation), card and IBAN redaction, softened promise language and a risk disclaimer on every answer.",
        "capabilities": ["describe", "check_input", "check_output", "redaction", "disclaimer"],
        "config_schema": {"type": "object", "additionalProperties": false,
          "properties": {
            "specialization": {"type": "string", "minLength": 1, "maxLength": 64,
                               "default": "investment_strategy",
                               "description": "What the advisor focuses on, e.g. retirement_planning"},
            "rules": )" DOMAIN_RULES_CONFIG_SCHEMA R"(}}})";

domain_rules::DomainSpec make_spec(const Json& config) {
  const std::string what = "financial_advisor config";
  domain_rules::expect_only_keys(config, {"specialization", "rules"}, what);
  Json data = domain_rules::parse_builtin(kData);

  domain_rules::DomainSpec spec;
  spec.id = "financial_advisor";
  spec.specialization =
      domain_rules::optional_string(config, "specialization", "investment_strategy", 64, what);
  std::string topic = spec.specialization;
  std::replace(topic.begin(), topic.end(), '_', ' ');
  spec.system_prompt =
      "You are a financial advisor agent specialising in " + topic +
      ". Give balanced, educational guidance: ask about the user's goals, time horizon and risk "
      "tolerance before suggesting an allocation, explain the trade-off between risk and potential "
      "return, and mention fees and taxes where they matter. Never promise or guarantee returns, "
      "never call an investment risk-free, and never help with insider trading or market "
      "manipulation. You do not know the user's full financial situation, so present information "
      "as general guidance and suggest a licensed financial adviser for personal recommendations.";
  spec.knowledge = data.at("knowledge").get<std::vector<std::string>>();
  spec.rules = std::move(data.at("rules"));
  return spec;
}

class FinancialAdvisor final : public domain_rules::RuleDomain {
 public:
  FinancialAdvisor(agent_sdk::Host host, const Json& config)
      : RuleDomain(host, make_spec(config), config) {}
};

}  // namespace

AGENT_SDK_EXPORT_PLUGIN(FinancialAdvisor, "financial_advisor", "1.0.0", kManifest)
