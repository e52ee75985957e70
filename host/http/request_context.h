// What a handler sees of one request: the Poco request and response, the request id, the path
// parameters the router extracted, and helpers to read a JSON body and answer JSON.
#pragma once

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "limits/json_depth.h"
#include "security/principal.h"

namespace agent_host::http {

class RequestContext {
 public:
  RequestContext(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                 std::string request_id, std::size_t max_body_bytes,
                 int max_json_depth = limits::kMaxJsonDepth);

  Poco::Net::HTTPServerRequest& request() noexcept { return request_; }
  Poco::Net::HTTPServerResponse& response() noexcept { return response_; }
  const std::string& request_id() const noexcept { return request_id_; }

  void set_path_params(std::map<std::string, std::string> params) { params_ = std::move(params); }
  // The matched route's pattern ("/agents/{id}/chat"), set by the router before filters run;
  // empty before matching. Metrics and rate limits key on it, not on the raw path.
  void set_route_pattern(std::string pattern) { route_pattern_ = std::move(pattern); }
  const std::string& route_pattern() const noexcept { return route_pattern_; }

  // Set by authentication; none when auth is off or the route is public.
  void set_principal(security::Principal principal) { principal_ = std::move(principal); }
  const std::optional<security::Principal>& principal() const noexcept { return principal_; }

  // The peer's IP address (no port), for per-client limits when there is no principal.
  std::string client_address() const;
  const std::string& path_param(const std::string& name) const;

  // Reads the body as a JSON value. Throws ApiError: 415 when not application/json, 413 when
  // larger than the limit, 400 when it is not UTF-8, nests deeper than max_json_depth or is not
  // JSON.
  nlohmann::json read_json_body();
  // The JSON nesting cap (http.max_json_depth), for bodies read elsewhere (WebSocket messages).
  int max_json_depth() const noexcept { return max_json_depth_; }
  // True when the request carries a body that nobody read (the connection cannot be reused).
  bool has_unread_body() const;

  // The value of a query parameter (decoded), or nothing when absent. Throws ApiError 400 for a
  // malformed query.
  std::optional<std::string> query_param(const std::string& name) const;

  void send_json(int status, const nlohmann::json& body);
  // Any other complete body (text/plain metrics, an HTML page).
  void send_body(int status, const std::string& content_type, std::string_view body);
  void send_no_content();  // 204

  // The client's socket descriptor, for watching it (DisconnectWatcher); not for I/O.
  int client_fd() const;
  // A handler that took the connection over (a WebSocket upgrade) says so: the connection then
  // ends after the handler instead of looking for another HTTP request.
  void mark_taken_over() noexcept { taken_over_ = true; }
  bool taken_over() const noexcept { return taken_over_; }

 private:
  Poco::Net::HTTPServerRequest& request_;
  Poco::Net::HTTPServerResponse& response_;
  std::string request_id_;
  std::size_t max_body_bytes_;
  int max_json_depth_;
  std::map<std::string, std::string> params_;
  std::string route_pattern_;
  std::optional<security::Principal> principal_;
  bool body_read_ = false;
  bool taken_over_ = false;
};

}  // namespace agent_host::http
