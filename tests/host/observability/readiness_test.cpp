#include "observability/readiness.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <limits>
#include <stdexcept>

#include "observability/provider_health.h"

using namespace agent_host::observability;

TEST_CASE("readiness fails only when a required check fails, and lists every check",
          "[observability][readiness]") {
  std::vector<ReadinessCheck> checks = {
      {"store", true,
       [] {
         return CheckResult{true, {{"type", "sqlite"}}};
       }},
      {"redis", false,
       [] {
         return CheckResult{false, {{"last_error", "down"}}};
       }},
  };
  auto report = run_readiness(checks);
  CHECK(report.ready);
  CHECK(report.body["status"] == "ready");
  CHECK(report.body["checks"]["store"] ==
        nlohmann::json({{"status", "ok"}, {"required", true}, {"type", "sqlite"}}));
  CHECK(report.body["checks"]["redis"]["status"] == "failing");
  CHECK(report.body["checks"]["redis"]["required"] == false);

  checks.push_back({"disk", true, [] { return CheckResult{false, {}}; }});
  report = run_readiness(checks);
  CHECK_FALSE(report.ready);
  CHECK(report.body["status"] == "not_ready");
  CHECK(report.body["checks"]["disk"]["status"] == "failing");
}

TEST_CASE("a check that throws counts as failing with its reason", "[observability][readiness]") {
  const auto report = run_readiness(
      {{"store", true, []() -> CheckResult { throw std::runtime_error("database gone"); }}});
  CHECK_FALSE(report.ready);
  CHECK(report.body["checks"]["store"]["error"] == "database gone");
}

TEST_CASE("the disk check compares the free space of the folder's file system with the threshold",
          "[observability][readiness]") {
  const auto folder = std::filesystem::temp_directory_path();
  const auto roomy = check_disk_space(folder, 0);
  CHECK(roomy.ok);
  CHECK(roomy.details["free_bytes"].get<std::uint64_t>() > 0);
  const auto full = check_disk_space(folder, std::numeric_limits<std::uint64_t>::max());
  CHECK_FALSE(full.ok);
  CHECK(full.details["min_free_bytes"] == std::numeric_limits<std::uint64_t>::max());
  const auto missing = check_disk_space("/no/such/folder/anywhere", 0);
  CHECK_FALSE(missing.ok);
  CHECK(missing.details["error"].get<std::string>().find("No such file") != std::string::npos);
}

TEST_CASE("a provider's last result is failing with its error time until it answers again",
          "[observability][readiness]") {
  ProviderHealth health;
  health.record_error("p1", "p1: upstream unavailable (HTTP 503)");
  auto snapshot = health.snapshot();
  CHECK_FALSE(snapshot["p1"].ok);
  CHECK(snapshot["p1"].last_error_ms > 0);
  CHECK(snapshot["p1"].last_ok_ms == 0);
  health.record_ok("p1");
  snapshot = health.snapshot();
  CHECK(snapshot["p1"].ok);
  CHECK(snapshot["p1"].last_ok_ms >= snapshot["p1"].last_error_ms);
  CHECK(snapshot["p1"].last_error == "p1: upstream unavailable (HTTP 503)");  // kept for the record
}
