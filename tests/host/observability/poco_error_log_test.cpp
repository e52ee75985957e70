#include "observability/poco_error_log.h"

#include <Poco/Exception.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <sstream>
#include <stdexcept>
#include <thread>

using agent_host::observability::PocoErrorLog;

namespace {

// The default logger, redirected into a string for one test.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
    auto logger = std::make_shared<spdlog::logger>("captured", sink);
    logger->set_pattern("%l %v");
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
};

std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST_CASE("an exception escaping Poco's server threads is logged as an error", "[observability]") {
  CapturedLog log;
  PocoErrorLog handler;
  handler.exception(Poco::IOException("connection reset by peer"));
  const std::string text = log.text();
  INFO(text);
  CHECK(lines(text) == 1);
  CHECK_THAT(text, Catch::StartsWith("error http: connection dropped outside any request"));
  CHECK_THAT(text, Catch::Contains("connection reset by peer"));
  CHECK_THAT(text, !Catch::Contains("file descriptors"));
}

TEST_CASE("running out of file descriptors is named as such, with the limit", "[observability]") {
  CapturedLog log;
  PocoErrorLog handler;
  handler.exception(Poco::IOException("Can't create epoll queue", EMFILE));
  const std::string text = log.text();
  INFO(text);
  CHECK_THAT(text, Catch::Contains("out of file descriptors (limit "));
}

TEST_CASE("a storm of failures is logged once per interval, with a count of the rest",
          "[observability]") {
  CapturedLog log;
  PocoErrorLog handler(std::chrono::milliseconds(200));
  for (int i = 0; i < 1000; ++i) handler.exception(Poco::IOException("Too many open files"));
  CHECK(lines(log.text()) == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  handler.exception(std::runtime_error("later"));
  const std::string text = log.text();
  INFO(text);
  CHECK(lines(text) == 2);
  CHECK_THAT(text, Catch::Contains("later (999 more since the last report)"));
}
