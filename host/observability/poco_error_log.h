// Logs what Poco's server threads would otherwise swallow. An exception escaping the acceptor
// or a connection's thread ends in Poco's ErrorHandler, which by default says nothing: a client
// whose connection was dropped because the process ran out of file descriptors left no trace.
#pragma once

#include <Poco/ErrorHandler.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace agent_host::observability {

class PocoErrorLog final : public Poco::ErrorHandler {
 public:
  // At most one line per `interval`; the next line counts the ones left out, so a storm of
  // failures (thousands of refused connections a second) cannot flood the log.
  explicit PocoErrorLog(std::chrono::milliseconds interval = std::chrono::seconds(1));

  void exception(const Poco::Exception& e) override;
  void exception(const std::exception& e) override;
  void exception() override;

 private:
  void report(const std::string& what, bool out_of_descriptors);

  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_{};
  bool reported_ = false;
  std::uint64_t left_out_ = 0;
};

// Installs one PocoErrorLog for the whole process (idempotent; it lives until exit).
void install_poco_error_log();

}  // namespace agent_host::observability
