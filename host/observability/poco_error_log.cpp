#include "observability/poco_error_log.h"

#include <Poco/Exception.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <cerrno>

namespace agent_host::observability {
namespace {

std::string open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return "?";
  return std::to_string(limit.rlim_cur);
}

}  // namespace

PocoErrorLog::PocoErrorLog(std::chrono::milliseconds interval) : interval_(interval) {}

void PocoErrorLog::exception(const Poco::Exception& e) {
  const std::string text = e.displayText();
  report(text, e.code() == EMFILE || text.find("Too many open files") != std::string::npos);
}

void PocoErrorLog::exception(const std::exception& e) { report(e.what(), false); }

void PocoErrorLog::exception() { report("unknown exception", false); }

void PocoErrorLog::report(const std::string& what, bool out_of_descriptors) {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (reported_ && now - last_ < interval_) {
    ++left_out_;
    return;
  }
  const std::string hint =
      out_of_descriptors
          ? " - the process is out of file descriptors (limit " + open_file_limit() +
                "; a proxied stream holds two): connections are refused until some close"
          : "";
  const std::string more =
      left_out_ > 0 ? " (" + std::to_string(left_out_) + " more since the last report)" : "";
  spdlog::error("http: connection dropped outside any request: {}{}{}", what, hint, more);
  reported_ = true;
  last_ = now;
  left_out_ = 0;
}

void install_poco_error_log() {
  static PocoErrorLog log;
  static const bool installed = [] {
    Poco::ErrorHandler::set(&log);
    return true;
  }();
  (void)installed;
}

}  // namespace agent_host::observability
