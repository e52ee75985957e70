#include "http/sse_writer.h"

#include <Poco/Exception.h>

#include <agent_sdk/json_codec.hpp>

namespace agent_host::http {

SseWriter::SseWriter(RequestContext& context) {
  auto& response = context.response();
  response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType("text/event-stream; charset=utf-8");
  response.set("Cache-Control", "no-cache");
  response.set("X-Accel-Buffering", "no");  // reverse proxies must not buffer the stream
  response.setChunkedTransferEncoding(true);
  if (context.has_unread_body()) response.setKeepAlive(false);
  try {
    out_ = &response.send();
    out_->flush();
    broken_ = !out_->good();
  } catch (const Poco::Exception&) {
    broken_ = true;
  }
}

bool SseWriter::send(std::string_view event, const nlohmann::json& data) {
  // JSON text has no raw newlines, so one "data:" line carries the whole value.
  std::string text = "id: " + std::to_string(next_id_++) + "\nevent: ";
  text.append(event);
  text += "\ndata: ";
  agent_sdk::append_json(text, data, nlohmann::json::error_handler_t::replace);
  text += "\n\n";
  return write(text);
}

bool SseWriter::send_data(std::string_view payload) {
  std::string text = "data: ";
  text.append(payload);
  text += "\n\n";
  return write(text);
}

bool SseWriter::write(std::string_view text) {
  if (broken_ || out_ == nullptr) return false;
  try {
    out_->write(text.data(), static_cast<std::streamsize>(text.size()));
    out_->flush();
    broken_ = !out_->good();
  } catch (const Poco::Exception&) {
    broken_ = true;
  } catch (const std::ios_base::failure&) {
    broken_ = true;
  }
  return !broken_;
}

}  // namespace agent_host::http
