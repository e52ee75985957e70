// An error a handler reports to the client. Every error leaves the host as
// {"error": {"code", "message", "request_id"}} with this status (DESIGN.md "Errors"), except on
// routes with their own ErrorResponder (router.h): the /v1 routes answer in OpenAI's shape.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

namespace agent_host::http {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& message,
           std::optional<int> retry_after_seconds = std::nullopt)
      : std::runtime_error(message),
        status_(status),
        code_(std::move(code)),
        retry_after_(retry_after_seconds) {}

  int status() const noexcept { return status_; }
  const std::string& code() const noexcept { return code_; }
  std::optional<int> retry_after() const noexcept { return retry_after_; }

 private:
  int status_;
  std::string code_;
  std::optional<int> retry_after_;
};

}  // namespace agent_host::http
