// agent_sdk/sse.hpp — an incremental parser for Server-Sent Events (the WHATWG "text/event-stream"
// format), fed with whatever bytes the network delivered: events split across reads, CRLF / LF /
// CR line endings, comments, multi-line data and a UTF-8 BOM are all handled.
#ifndef AGENT_SDK_SSE_HPP
#define AGENT_SDK_SSE_HPP

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace agent_sdk {

struct SseEvent {
  std::string event = "message";  // the "event:" field, "message" when absent
  std::string data;               // "data:" lines joined with '\n'
  std::string id;                 // the last "id:" seen (sticky, as the spec says)
  std::optional<long> retry_ms;   // "retry:" when this event carried one
};

class SseParser {
 public:
  // Bounds the bytes of one event, so a peer that never ends its event cannot grow memory forever.
  explicit SseParser(std::size_t max_event_bytes = 8u << 20) : max_event_bytes_(max_event_bytes) {}

  // Feeds bytes; calls `on_event(const SseEvent&)` for each complete event. If on_event returns
  // false, parsing stops and feed() returns false. Throws std::length_error past the bound.
  template <typename OnEvent>
  bool feed(std::string_view bytes, OnEvent&& on_event) {
    const std::size_t size = bytes.size();
    std::size_t at = 0;
    while (at < size) {
      if (skip_lf_) {
        skip_lf_ = false;
        if (bytes[at] == '\n') {
          ++at;
          continue;
        }
      }
      // The rest of the line is appended in one piece: a provider parses every streamed token
      // through here, and a byte-by-byte append was a tenth of a streamed turn's instructions.
      std::size_t end = at;
      while (end < size && bytes[end] != '\r' && bytes[end] != '\n') ++end;
      if (line_.size() + data_.size() + (end - at) > max_event_bytes_) {
        throw std::length_error("server-sent event larger than the limit");
      }
      line_.append(bytes.data() + at, end - at);
      if (end == size) break;
      skip_lf_ = bytes[end] == '\r';
      at = end + 1;
      if (!line(on_event)) return false;
    }
    return true;
  }

 private:
  template <typename OnEvent>
  bool line(OnEvent& on_event) {
    std::string_view text = line_;
    if (first_line_) {
      first_line_ = false;
      if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    }
    bool keep_going = true;
    if (text.empty()) {
      if (has_data_) {
        SseEvent event;
        event.event = event_type_.empty() ? "message" : event_type_;
        event.data = std::move(data_);
        event.id = last_id_;
        event.retry_ms = retry_;
        keep_going = on_event(static_cast<const SseEvent&>(event));
      }
      data_.clear();
      event_type_.clear();
      retry_.reset();
      has_data_ = false;
    } else if (text.front() != ':') {
      const std::size_t colon = text.find(':');
      const std::string_view field = text.substr(0, colon);
      std::string_view value;
      if (colon != std::string_view::npos) {
        value = text.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      }
      if (field == "data") {
        if (has_data_) data_.push_back('\n');
        data_.append(value);
        has_data_ = true;
      } else if (field == "event") {
        event_type_.assign(value);
      } else if (field == "id") {
        if (value.find('\0') == std::string_view::npos) last_id_.assign(value);
      } else if (field == "retry") {
        // Digits only, as the spec says; a value too large for a long is ignored (std::stol
        // would throw out_of_range into the provider, found by tests/fuzz).
        if (!value.empty() && value.size() <= 18 &&
            value.find_first_not_of("0123456789") == std::string_view::npos) {
          long ms = 0;
          for (const char digit : value) ms = ms * 10 + (digit - '0');
          retry_ = ms;
        }
      }
    }
    line_.clear();
    return keep_going;
  }

  std::size_t max_event_bytes_;
  std::string line_;
  std::string data_;
  std::string event_type_;
  std::string last_id_;
  std::optional<long> retry_;
  bool has_data_ = false;
  bool skip_lf_ = false;
  bool first_line_ = true;
};

}  // namespace agent_sdk

#endif  // AGENT_SDK_SSE_HPP
