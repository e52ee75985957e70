#include "common/provider_call.hpp"

#include <optional>
#include <random>

#include "common/retry_loop.hpp"
#include "common/upstream_error.hpp"

namespace providers {

void require_http_client(const agent_sdk::HttpClient& client, const std::string& provider) {
  if (!client.available()) {
    throw agent_sdk::Error(AGENT_ERR_UNSUPPORTED,
                           provider +
                               ": this host offers no HTTP client (agent ABI 1.1 or later "
                               "needed), so the provider cannot reach its upstream");
  }
}

Completion run_call(const std::string& provider, const agent_sdk::Host& host, agent_sdk::Call& call,
                    const RetryPolicy& policy,
                    const std::function<Completion(DeltaEmitter&)>& attempt) {
  DeltaEmitter emitter([&call](const agent_sdk::Json& delta) { return call.emit_delta(delta); });
  // Per call, on the stack: instances are shared by concurrent calls. Seeded only when a retry
  // needs jitter: constructing a std::random_device costs about 20 us on a virtual machine
  // (cpuid traps to the hypervisor), a fifth of the host's latency budget for a whole turn.
  std::optional<std::mt19937_64> generator;
  std::uniform_real_distribution<double> unit(0.0, 1.0);

  RetryEnvironment environment;
  environment.provider = provider;
  environment.cancelled = [&call] { return call.cancelled(); };
  environment.warn = [&host](const std::string& line) {
    host.log(agent_sdk::LogLevel::warn, line);
  };
  environment.random = [&] {
    if (!generator) generator.emplace(std::random_device{}());
    return unit(*generator);
  };
  environment.deadline_unix_ms = call.deadline_unix_ms();

  return run_with_retries(policy, environment, emitter, [&]() -> Completion {
    try {
      return attempt(emitter);
    } catch (const agent_sdk::Json::exception&) {
      throw malformed(provider, "the upstream's answer has an unexpected shape");
    }
  });
}

}  // namespace providers
