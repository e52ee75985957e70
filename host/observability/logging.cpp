#include "observability/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace agent_host::observability {
namespace {

// A plain pointer: no destructor runs at thread exit, and the scope owns nothing.
thread_local const std::string* request_id_of_thread = nullptr;

void append(spdlog::memory_buf_t& dest, std::string_view text) {
  dest.append(text.data(), text.data() + text.size());
}

// %* in text: "[id] " inside a request, nothing outside.
class TextRequestIdFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    if (request_id_of_thread == nullptr) return;
    append(dest, "[");
    append(dest, *request_id_of_thread);
    append(dest, "] ");
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<TextRequestIdFlag>();
  }
};

// A JSON string (quoted, escaped; invalid UTF-8 replaced so the line always parses).
std::string json_string(std::string_view text) {
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// %* in JSON: the request id as a JSON string, or null.
class JsonRequestIdFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    append(dest, request_id_of_thread == nullptr ? "null" : json_string(*request_id_of_thread));
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonRequestIdFlag>();
  }
};

// %j in JSON: the message as a JSON string.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    append(dest, json_string(std::string_view(msg.payload.data(), msg.payload.size())));
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

std::unique_ptr<spdlog::formatter> make_formatter(LogFormat format, bool access) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  if (format == LogFormat::json) {
    formatter->add_flag<JsonRequestIdFlag>('*').add_flag<JsonMessageFlag>('j');
    formatter->set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","logger":"%n","request_id":%*,)"
        R"("message":%j})");
  } else {
    formatter->add_flag<TextRequestIdFlag>('*');
    // The access line starts with the request id already.
    formatter->set_pattern(access ? "%Y-%m-%dT%H:%M:%S.%e%z access %v"
                                  : "%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %*%v");
  }
  return formatter;
}

}  // namespace

LogFormat parse_log_format(const std::string& name) {
  if (name == "text") return LogFormat::text;
  if (name == "json") return LogFormat::json;
  throw std::invalid_argument("unknown log format '" + name + "' (use text or json)");
}

void configure_logging(const std::string& level, LogFormat format) {
  const auto parsed = spdlog::level::from_str(level);
  // from_str answers "off" for names it does not know; only accept "off" when asked for.
  if (parsed == spdlog::level::off && level != "off") {
    throw std::invalid_argument("unknown log level '" + level +
                                "' (use trace, debug, info, warn, error or off)");
  }
  const auto access = access_logger();
  spdlog::set_formatter(make_formatter(format, false));  // every registered logger
  access->set_formatter(make_formatter(format, true));
  spdlog::set_level(parsed);
  access->set_level(parsed);
}

std::shared_ptr<spdlog::logger> access_logger() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto logger = spdlog::stdout_logger_mt("access");
    logger->set_formatter(make_formatter(LogFormat::text, true));
  });
  return spdlog::get("access");
}

RequestIdScope::RequestIdScope(const std::string& request_id) noexcept
    : previous_(request_id_of_thread) {
  request_id_of_thread = &request_id;
}

RequestIdScope::~RequestIdScope() { request_id_of_thread = previous_; }

const std::string* current_request_id() noexcept { return request_id_of_thread; }

}  // namespace agent_host::observability
