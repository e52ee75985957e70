#include "observability/readiness.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include "http/iso_time.h"
#include "observability/provider_health.h"

namespace agent_host::observability {

ReadinessReport run_readiness(const std::vector<ReadinessCheck>& checks) {
  ReadinessReport report;
  nlohmann::json entries = nlohmann::json::object();
  for (const auto& check : checks) {
    CheckResult result;
    try {
      result = check.run();
    } catch (const std::exception& e) {
      result = {false, {{"error", e.what()}}};
    }
    nlohmann::json entry = {{"status", result.ok ? "ok" : "failing"}, {"required", check.required}};
    if (result.details.is_object()) entry.update(result.details);
    entries[check.name] = std::move(entry);
    if (check.required && !result.ok) report.ready = false;
  }
  report.body = {{"status", report.ready ? "ready" : "not_ready"}, {"checks", std::move(entries)}};
  return report;
}

CheckResult check_disk_space(const std::filesystem::path& folder, std::uint64_t min_free_bytes) {
  struct statvfs stats {};
  nlohmann::json details = {{"path", folder.string()}, {"min_free_bytes", min_free_bytes}};
  if (::statvfs(folder.c_str(), &stats) != 0) {
    details["error"] = std::string("cannot read the file system: ") + std::strerror(errno);
    return {false, std::move(details)};
  }
  // f_bavail: what an unprivileged process may still use (root's reserve excluded).
  const std::uint64_t free_bytes =
      static_cast<std::uint64_t>(stats.f_bavail) * static_cast<std::uint64_t>(stats.f_frsize);
  details["free_bytes"] = free_bytes;
  return {free_bytes >= min_free_bytes, std::move(details)};
}

CheckResult check_providers() {
  CheckResult result;
  nlohmann::json providers = nlohmann::json::object();
  for (const auto& [id, last] : provider_health().snapshot()) {
    nlohmann::json entry = {{"status", last.ok ? "ok" : "failing"}};
    if (last.last_ok_ms != 0) entry["last_ok"] = http::iso8601_ms(last.last_ok_ms);
    if (last.last_error_ms != 0) {
      entry["last_error_at"] = http::iso8601_ms(last.last_error_ms);
      entry["last_error"] = last.last_error;
    }
    providers[id] = std::move(entry);
    result.ok = result.ok && last.ok;
  }
  result.details = {{"providers", std::move(providers)}};
  return result;
}

}  // namespace agent_host::observability
