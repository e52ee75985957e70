#include "observability/logging.h"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

using namespace agent_host::observability;

namespace {

// A registered logger writing into a string, so configure_logging() formats it like the others.
struct CapturedLogger {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> logger;
  explicit CapturedLogger(const std::string& name) {
    spdlog::drop(name);
    logger = std::make_shared<spdlog::logger>(
        name, std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    spdlog::register_logger(logger);
  }
  ~CapturedLogger() {
    spdlog::drop(logger->name());
    configure_logging("warn");  // back to what the other tests expect
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> result;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) result.push_back(line);
    return result;
  }
};

}  // namespace

TEST_CASE("JSON log lines parse as JSON and carry the request id of the scope they were written in",
          "[observability][logging]") {
  CapturedLogger captured("json-test");
  configure_logging("info", LogFormat::json);
  captured.logger->info("outside any request");
  {
    const std::string id = "req-42";
    const RequestIdScope scope(id);
    captured.logger->warn("a \"quoted\" message\nwith a line break and \x01 control");
    {
      const std::string inner = "req-43";
      const RequestIdScope nested(inner);
      captured.logger->info("nested");
    }
    captured.logger->info("back in the outer request");
  }
  const auto lines = captured.lines();
  REQUIRE(lines.size() == 4);
  std::vector<nlohmann::json> parsed;
  for (const auto& line : lines) {
    INFO(line);
    parsed.push_back(nlohmann::json::parse(line));  // throws (fails) when not JSON
  }
  CHECK(parsed[0]["request_id"].is_null());
  CHECK(parsed[0]["message"] == "outside any request");
  CHECK(parsed[0]["level"] == "info");
  CHECK(parsed[0]["logger"] == "json-test");
  CHECK(parsed[0]["time"].get<std::string>().size() >= 23);
  CHECK(parsed[1]["request_id"] == "req-42");
  CHECK(parsed[1]["level"] == "warning");
  CHECK(parsed[1]["message"] == "a \"quoted\" message\nwith a line break and \x01 control");
  CHECK(parsed[2]["request_id"] == "req-43");
  CHECK(parsed[3]["request_id"] == "req-42");
}

TEST_CASE("text log lines put the request id before the message only inside a request",
          "[observability][logging]") {
  CapturedLogger captured("text-test");
  configure_logging("info", LogFormat::text);
  captured.logger->info("before");
  {
    const std::string id = "abc-1";
    const RequestIdScope scope(id);
    captured.logger->info("during");
  }
  const auto lines = captured.lines();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find(" info before") != std::string::npos);
  CHECK(lines[1].find(" info [abc-1] during") != std::string::npos);
  CHECK(current_request_id() == nullptr);
}

TEST_CASE("an unknown log format is refused with the accepted names", "[observability][logging]") {
  CHECK(parse_log_format("json") == LogFormat::json);
  CHECK(parse_log_format("text") == LogFormat::text);
  CHECK_THROWS_WITH(parse_log_format("xml"), Catch::Contains("text or json"));
}
