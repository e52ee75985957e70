#include "observability/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <stdexcept>

namespace agent_host::observability {

void configure_logging(const std::string& level) {
  const auto parsed = spdlog::level::from_str(level);
  // from_str answers "off" for names it does not know; only accept "off" when asked for.
  if (parsed == spdlog::level::off && level != "off") {
    throw std::invalid_argument("unknown log level '" + level +
                                "' (use trace, debug, info, warn, error or off)");
  }
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  spdlog::set_level(parsed);
  access_logger()->set_level(parsed);
}

std::shared_ptr<spdlog::logger> access_logger() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto logger = spdlog::stdout_logger_mt("access");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z access %v");
  });
  return spdlog::get("access");
}

}  // namespace agent_host::observability
