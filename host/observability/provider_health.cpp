#include "observability/provider_health.h"

#include "store/wall_clock.h"

namespace agent_host::observability {

void ProviderHealth::record_ok(const std::string& provider) {
  std::lock_guard lock(mutex_);
  auto& result = providers_[provider];
  result.ok = true;
  result.last_ok_ms = store::wall_clock_ms();
}

void ProviderHealth::record_error(const std::string& provider, const std::string& error) {
  std::lock_guard lock(mutex_);
  auto& result = providers_[provider];
  result.ok = false;
  result.last_error_ms = store::wall_clock_ms();
  result.last_error = error.substr(0, 500);
}

std::map<std::string, ProviderResult> ProviderHealth::snapshot() const {
  std::lock_guard lock(mutex_);
  return providers_;
}

ProviderHealth& provider_health() {
  static ProviderHealth* health = new ProviderHealth;  // never destroyed: recorded until exit
  return *health;
}

}  // namespace agent_host::observability
