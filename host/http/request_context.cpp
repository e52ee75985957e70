#include "http/request_context.h"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <agent_sdk/json_codec.hpp>
#include <istream>

#include "http/api_error.h"
#include "http/utf8.h"
#include "limits/json_depth.h"

namespace agent_host::http {

RequestContext::RequestContext(Poco::Net::HTTPServerRequest& request,
                               Poco::Net::HTTPServerResponse& response, std::string request_id,
                               std::size_t max_body_bytes, int max_json_depth)
    : request_(request),
      response_(response),
      request_id_(std::move(request_id)),
      max_body_bytes_(max_body_bytes),
      max_json_depth_(max_json_depth) {}

const std::string& RequestContext::path_param(const std::string& name) const {
  static const std::string empty;
  const auto it = params_.find(name);
  return it == params_.end() ? empty : it->second;
}

nlohmann::json RequestContext::read_json_body() {
  const std::string content_type = request_.getContentType();
  const std::string media_type = content_type.substr(0, content_type.find(';'));
  if (Poco::icompare(Poco::trim(media_type), "application/json") != 0) {
    throw ApiError(415, "unsupported_media_type",
                   "the body must be JSON sent as Content-Type: application/json");
  }
  if (request_.hasContentLength() &&
      request_.getContentLength64() > static_cast<Poco::Int64>(max_body_bytes_)) {
    throw ApiError(413, "payload_too_large",
                   "the body is " + std::to_string(request_.getContentLength64()) +
                       " bytes; the limit is " + std::to_string(max_body_bytes_));
  }
  // Read at most one byte past the limit so a chunked body cannot grow without bound.
  std::string body;
  std::istream& in = request_.stream();
  char buffer[8192];
  while (in) {
    in.read(buffer, sizeof(buffer));
    body.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (body.size() > max_body_bytes_) {
      throw ApiError(
          413, "payload_too_large",
          "the body is larger than the limit of " + std::to_string(max_body_bytes_) + " bytes");
    }
  }
  if (in.bad()) {
    // Bad chunk framing or a connection error: the stream position is unknown, so the
    // connection cannot carry another request.
    response_.setKeepAlive(false);
    throw ApiError(400, "malformed_body", "the request body could not be read (bad framing)");
  }
  body_read_ = true;
  // Poco's chunked reader reports broken framing as an early end of the body.
  if (body.empty() && request_.getChunkedTransferEncoding()) {
    response_.setKeepAlive(false);
    throw ApiError(400, "malformed_body", "the chunked body is empty or its framing is invalid");
  }
  if (body.empty()) throw ApiError(400, "malformed_json", "the request body is empty");
  if (!utf8_length(body)) throw ApiError(400, "invalid_utf8", "the body is not valid UTF-8");
  if (const auto at = limits::json_too_deep_at(body, max_json_depth_)) {
    throw ApiError(400, "json_too_deep",
                   "the body nests arrays and objects deeper than " +
                       std::to_string(max_json_depth_) + " levels (at byte " + std::to_string(*at) +
                       ")");
  }
  try {
    return agent_sdk::parse_json(body);
  } catch (const nlohmann::json::parse_error& e) {
    throw ApiError(400, "malformed_json",
                   "the body is not valid JSON (at byte " + std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::exception&) {  // out_of_range: a number such as 1e999
    throw ApiError(400, "malformed_json", "the body holds a number too large to represent");
  }
}

bool RequestContext::has_unread_body() const {
  if (body_read_) return false;
  return request_.getChunkedTransferEncoding() ||
         (request_.hasContentLength() && request_.getContentLength64() > 0);
}

std::optional<std::string> RequestContext::query_param(const std::string& name) const {
  Poco::URI::QueryParameters parameters;
  try {
    parameters = Poco::URI(request_.getURI()).getQueryParameters();
  } catch (const Poco::SyntaxException&) {
    throw ApiError(400, "malformed_request", "the query string is not valid");
  }
  for (const auto& [key, value] : parameters) {
    if (key == name) return value;
  }
  return std::nullopt;
}

void RequestContext::send_no_content() {
  response_.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
  response_.setContentLength64(0);
  if (has_unread_body()) response_.setKeepAlive(false);
  response_.send().flush();
}

void RequestContext::send_json(int status, const nlohmann::json& body) {
  send_body(status, "application/json",
            agent_sdk::dump_json(body, nlohmann::json::error_handler_t::replace));
}

void RequestContext::send_body(int status, const std::string& content_type, std::string_view body) {
  response_.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response_.setContentType(content_type);
  response_.setContentLength64(static_cast<Poco::Int64>(body.size()));
  if (has_unread_body()) response_.setKeepAlive(false);
  std::ostream& out = response_.send();
  out.write(body.data(), static_cast<std::streamsize>(body.size()));
  out.flush();  // on the wire now, even if the connection is closed right after
}

}  // namespace agent_host::http

namespace agent_host::http {

int RequestContext::client_fd() const {
  // The connection loop always builds HTTPServerRequestImpl (see connection.cpp).
  auto& impl = static_cast<Poco::Net::HTTPServerRequestImpl&>(request_);
  return impl.socket().impl()->sockfd();
}

std::string RequestContext::client_address() const {
  return request_.clientAddress().host().toString();
}

}  // namespace agent_host::http
