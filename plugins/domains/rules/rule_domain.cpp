#include "rules/rule_domain.hpp"

#include <agent_sdk/json_codec.hpp>
#include <algorithm>
#include <utility>

namespace domain_rules {
namespace {

using agent_sdk::Error;

const std::string& required_text(const Json& input, const char* key, const char* method) {
  const auto it = input.find(key);
  if (it == input.end() || !it->is_string()) {
    throw Error(AGENT_ERR_INVALID_INPUT,
                std::string(method) + " needs a string \"" + key + "\" in its input");
  }
  return it->get_ref<const std::string&>();
}

}  // namespace

RuleDomain::RuleDomain(agent_sdk::Host host, DomainSpec spec, const Json& config)
    : Domain(host), spec_(std::move(spec)) {
  rules_.add(spec_.rules, "built-in rules");
  if (const auto it = config.find("rules"); it != config.end()) {
    rules_.add(*it, "config rules");
  }
  this->host().log(agent_sdk::LogLevel::debug,
                   spec_.id + ": " + std::to_string(rules_.input_size()) + " input rules, " +
                       std::to_string(rules_.output_size()) + " output rules");
}

Json RuleDomain::describe() {
  return {{"id", spec_.id},
          {"specialization", spec_.specialization},
          {"system_prompt", spec_.system_prompt},
          {"knowledge", spec_.knowledge}};
}

Json RuleDomain::check_input(const Json& input) {
  return rules_.check_input(required_text(input, "message", "check_input"));
}

Json RuleDomain::check_output(const Json& input) {
  const std::string& response = required_text(input, "response", "check_output");
  // The user's message only feeds conditions such as "message_pattern"; it may be absent.
  const auto message = input.find("message");
  if (message == input.end()) return rules_.check_output(std::string(), response);
  return rules_.check_output(required_text(input, "message", "check_output"), response);
}

void expect_only_keys(const Json& object, std::initializer_list<const char*> allowed,
                      const std::string& what) {
  for (const auto& item : object.items()) {
    if (std::none_of(allowed.begin(), allowed.end(),
                     [&](const char* key) { return item.key() == key; })) {
      std::string list;
      for (const char* key : allowed) list += (list.empty() ? "" : ", ") + std::string(key);
      throw Error(AGENT_ERR_INVALID_INPUT,
                  what + ": unknown key \"" + item.key() + "\" (allowed: " + list + ")");
    }
  }
}

std::string optional_string(const Json& object, const char* key, const std::string& fallback,
                            std::size_t max_length, const std::string& what) {
  const auto it = object.find(key);
  if (it == object.end()) return fallback;
  if (!it->is_string() || it->get_ref<const std::string&>().empty() ||
      it->get_ref<const std::string&>().size() > max_length) {
    throw Error(AGENT_ERR_INVALID_INPUT, what + ": \"" + key +
                                             "\" must be a non-empty string of at most " +
                                             std::to_string(max_length) + " bytes");
  }
  return it->get<std::string>();
}

Json parse_builtin(const char* text) {
  try {
    return agent_sdk::parse_json(text);
  } catch (const Json::parse_error& e) {
    // A broken built-in document is our bug, not the caller's config.
    throw Error(AGENT_ERR_INTERNAL,
                std::string("built-in domain data is not valid JSON: ") + e.what());
  }
}

}  // namespace domain_rules
