// The common shape of a bundled domain: fixed description data plus a RuleSet built from the
// domain's own rules and, optionally, the agent's extra rules (config "rules"). Immutable once
// constructed, so every method may run concurrently.
#pragma once

#include <agent_sdk/plugin.hpp>
#include <initializer_list>
#include <string>
#include <vector>

#include "rules/rule_engine.hpp"

// JSON Schema of the "rules" config key every bundled domain accepts (for its manifest).
#define DOMAIN_RULES_CONFIG_SCHEMA                                                                  \
  R"({"type": "object", "additionalProperties": false, )"                                           \
  R"("description": "Extra rules in the built-in rule format; they run after the domain's own.", )" \
  R"("properties": { )"                                                                             \
  R"("input": {"type": "array", "items": {"type": "object", )"                                      \
  R"("required": ["id", "action", "pattern"], )"                                                    \
  R"("properties": {"id": {"type": "string"}, "action": {"enum": ["refuse", "rewrite"]}, )"         \
  R"("pattern": {"type": ["string", "array"]}, "unless": {"type": ["string", "array"]}, )"          \
  R"("reason": {"type": "string"}, "replacement": {"type": "string"}, )"                            \
  R"("note": {"type": "string"}}}}, )"                                                              \
  R"("output": {"type": "array", "items": {"type": "object", "required": ["id", "action"], )"       \
  R"("properties": {"id": {"type": "string"}, )"                                                    \
  R"("action": {"enum": ["refuse", "rewrite", "number_steps", "append", "ask_missing"]}, )"         \
  R"("pattern": {"type": ["string", "array"]}, "unless": {"type": ["string", "array"]}, )"          \
  R"("message_pattern": {"type": ["string", "array"]}, "if_rewritten": {"type": "boolean"}, )"      \
  R"("reason": {"type": "string"}, "replacement": {"type": "string"}, )"                            \
  R"("text": {"type": "string"}, "note": {"type": "string"}, )"                                     \
  R"("min_sentences": {"type": "integer", "minimum": 1}, "intro": {"type": "string"}, )"            \
  R"("details": {"type": "array", "items": {"type": "object", )"                                    \
  R"("required": ["pattern", "ask"]}}}}}}})"

namespace domain_rules {

struct DomainSpec {
  std::string id;
  std::string specialization;
  std::string system_prompt;
  std::vector<std::string> knowledge;
  Json rules;  // the domain's built-in {"input": [...], "output": [...]}
};

class RuleDomain : public agent_sdk::Domain {
 public:
  static constexpr uint32_t kFlags = AGENT_PLUGIN_FLAG_THREAD_SAFE;

  // Compiles spec.rules, then config["rules"] (when present) after them. Throws
  // agent_sdk::Error(AGENT_ERR_INVALID_INPUT) when either is malformed.
  RuleDomain(agent_sdk::Host host, DomainSpec spec, const Json& config);

  // {"id", "specialization", "system_prompt", "knowledge": [string]}
  Json describe() override;
  // in {"message", ...}; out {"action": "allow"|"refuse"|"rewrite", "message"?, "reason"?}
  Json check_input(const Json& input) override;
  // in {"message", "response", ...}; out {"action": "allow"|"rewrite"|"refuse", "response"?,
  // "reason"?}
  Json check_output(const Json& input) override;

 private:
  DomainSpec spec_;
  RuleSet rules_;
};

// Config helpers shared by the domains; each throws AGENT_ERR_INVALID_INPUT naming the key.

// Rejects keys outside `allowed` (a typo would otherwise be ignored silently).
void expect_only_keys(const Json& object, std::initializer_list<const char*> allowed,
                      const std::string& what);
// config[key] as a non-empty string of at most `max_length` bytes, or `fallback` when absent.
std::string optional_string(const Json& object, const char* key, const std::string& fallback,
                            std::size_t max_length, const std::string& what);
// Parses a built-in data document (a raw string literal in the plugin).
Json parse_builtin(const char* text);

}  // namespace domain_rules
