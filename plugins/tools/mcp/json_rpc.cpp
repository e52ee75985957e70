#include "mcp/json_rpc.hpp"

#include <algorithm>

namespace mcp {

using agent_sdk::Json;

Deadline Deadline::in(std::chrono::milliseconds budget, agent_sdk::Call* call) {
  Deadline deadline{Clock::now() + budget, call};
  if (call != nullptr && call->deadline_unix_ms() > 0) {
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const auto left = std::chrono::milliseconds(
        std::max<std::int64_t>(0, call->deadline_unix_ms() - static_cast<std::int64_t>(now_ms)));
    deadline.at = std::min(deadline.at, Clock::now() + left);
  }
  return deadline;
}

std::chrono::milliseconds Deadline::remaining() const {
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(at - Clock::now()));
}

MessageKind classify(const Json& message) {
  if (!message.is_object() || message.value("jsonrpc", "") != "2.0") return MessageKind::invalid;
  const bool has_id =
      message.contains("id") && (message["id"].is_string() || message["id"].is_number_integer());
  if (message.contains("method")) {
    if (!message["method"].is_string()) return MessageKind::invalid;
    return has_id ? MessageKind::request : MessageKind::notification;
  }
  if (has_id && (message.contains("result") || message.contains("error"))) {
    return MessageKind::response;
  }
  // An error response to something the server could not parse has "id": null.
  if (message.contains("error") && message.contains("id") && message["id"].is_null()) {
    return MessageKind::response;
  }
  return MessageKind::invalid;
}

Json make_request(std::int64_t id, const std::string& method, const Json& params) {
  Json message = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) message["params"] = params;
  return message;
}

Json make_notification(const std::string& method, const Json& params) {
  Json message = {{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) message["params"] = params;
  return message;
}

Json make_result(const Json& id, const Json& result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", result}};
}

Json make_error(const Json& id, int code, const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

Json cancelled_notification(std::int64_t id, const std::string& reason) {
  return make_notification("notifications/cancelled", {{"requestId", id}, {"reason", reason}});
}

std::string excerpt(const std::string& text, std::size_t max) {
  std::string out = text.size() > max ? text.substr(0, max) + "..." : text;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return out;
}

}  // namespace mcp
