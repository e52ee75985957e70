// The last result of each LLM provider's calls, for GET /ready: when it last answered, when it
// last failed and why. Recorded by the turn pipeline after every provider call; reading it costs
// no upstream call.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace agent_host::observability {

struct ProviderResult {
  bool ok = true;               // the last call succeeded
  std::int64_t last_ok_ms = 0;  // wall-clock time of the last success (0: none yet)
  std::int64_t last_error_ms = 0;
  std::string last_error;  // the reason of the last failure (no secrets: plugins' text)
};

class ProviderHealth {
 public:
  void record_ok(const std::string& provider);
  void record_error(const std::string& provider, const std::string& error);
  std::map<std::string, ProviderResult> snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, ProviderResult> providers_;  // keyed by plugin id: bounded by plugins
};

// The process's provider results (as the metrics registry, one per process).
ProviderHealth& provider_health();

}  // namespace agent_host::observability
