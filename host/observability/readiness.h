// The checks behind GET /ready: one per dependency, each answering ok or failing with details.
// A required check that fails makes the host not ready (503: take it out of the load balancer);
// an informational one is reported but does not (an LLM provider that fails is the fallback
// chain's business, and every host shares it: taking them all out would help nobody).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace agent_host::observability {

struct CheckResult {
  bool ok = true;
  nlohmann::json details = nlohmann::json::object();  // merged into the check's entry
};

struct ReadinessCheck {
  std::string name;
  bool required = true;
  std::function<CheckResult()> run;  // must not throw; bounded in time
};

// Runs every check: {"status": "ready" | "not_ready", "checks": {name: {"status": "ok" |
// "failing", "required", ...details}}} and whether the host is ready.
struct ReadinessReport {
  bool ready = true;
  nlohmann::json body;
};
ReadinessReport run_readiness(const std::vector<ReadinessCheck>& checks);

// Free space of the file system holding `folder` against `min_free_bytes`: details
// {"path", "free_bytes", "min_free_bytes"} (or "error" when it cannot be read).
CheckResult check_disk_space(const std::filesystem::path& folder, std::uint64_t min_free_bytes);

// The last results of the LLM providers the host called (observability::provider_health()):
// ok unless one's last call failed; details {"providers": {id: {"status", "last_ok",
// "last_error_at", "last_error"}}}.
CheckResult check_providers();

}  // namespace agent_host::observability
