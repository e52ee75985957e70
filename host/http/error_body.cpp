#include "http/error_body.h"

#include <Poco/Net/HTTPResponse.h>

#include <agent_sdk/json_codec.hpp>
#include <nlohmann/json.hpp>

namespace agent_host::http {

std::string error_body(std::string_view code, std::string_view message,
                       std::string_view request_id) {
  const nlohmann::json body = {
      {"error", {{"code", code}, {"message", message}, {"request_id", request_id}}}};
  // Replace rather than throw on invalid UTF-8 (e.g. an echoed parser message).
  return agent_sdk::dump_json(body, nlohmann::json::error_handler_t::replace);
}

std::string raw_error_response(int status, std::string_view code, std::string_view message,
                               std::string_view request_id,
                               std::optional<int> retry_after_seconds) {
  const std::string body = error_body(code, message, request_id);
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " +
                    Poco::Net::HTTPResponse::getReasonForStatus(
                        static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status)) +
                    "\r\nContent-Type: application/json\r\nConnection: close\r\n";
  if (!request_id.empty()) out += "X-Request-Id: " + std::string(request_id) + "\r\n";
  if (retry_after_seconds) out += "Retry-After: " + std::to_string(*retry_after_seconds) + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return out;
}

}  // namespace agent_host::http
