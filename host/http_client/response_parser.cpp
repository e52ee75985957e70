#include "http_client/response_parser.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace agent_host::http_client {
namespace {

bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Splits a comma list and calls `each` with every trimmed, non-empty element.
template <typename F>
void for_each_element(std::string_view list, F each) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto element = trim(list.substr(0, comma));
    if (!element.empty()) each(element);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
}

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (char c : text) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  return value;
}

}  // namespace

std::size_t find_head_end(std::string_view data) noexcept {
  // Lines end with CRLF; a bare LF is tolerated, as most clients do.
  for (std::size_t at = data.find('\n'); at != std::string_view::npos;
       at = data.find('\n', at + 1)) {
    if (at + 1 < data.size() && data[at + 1] == '\n') return at + 2;
    if (at + 2 < data.size() && data[at + 1] == '\r' && data[at + 2] == '\n') return at + 3;
  }
  return std::string_view::npos;
}

ResponseHead parse_response_head(std::string_view head, std::size_t max_headers) {
  ResponseHead out;
  bool first = true;
  while (!head.empty()) {
    const auto newline = head.find('\n');
    std::string_view line = head.substr(0, newline);
    head = newline == std::string_view::npos ? std::string_view() : head.substr(newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first) {
      first = false;
      // HTTP/1.x SP 3DIGIT [SP reason]
      if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." ||
          (line[7] != '0' && line[7] != '1') || line[8] != ' ' ||
          !std::all_of(line.begin() + 9, line.begin() + 12,
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
          (line.size() > 12 && line[12] != ' ')) {
        throw ProtocolError("the response does not start with an HTTP/1.x status line");
      }
      out.http11 = line[7] == '1';
      out.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
      if (out.status < 100) throw ProtocolError("invalid response status code");
      continue;
    }
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      throw ProtocolError("obsolete line folding in a response header field");
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        !std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon), is_tchar)) {
      throw ProtocolError("an invalid response header field");
    }
    const auto value = trim(line.substr(colon + 1));
    if (std::any_of(value.begin(), value.end(), [](char c) {
          return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f;
        })) {
      throw ProtocolError("control characters in a response header value");
    }
    if (out.headers.size() >= max_headers) {
      throw ProtocolError("more than " + std::to_string(max_headers) + " response header fields");
    }
    out.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  }
  if (first) throw ProtocolError("an empty response head");
  return out;
}

BodyFraming body_framing(const ResponseHead& head, std::string_view method) {
  BodyFraming framing;
  framing.keep_alive = head.http11;
  std::optional<std::uint64_t> length;
  bool has_transfer_encoding = false;
  std::string last_coding;
  for (const auto& [name, value] : head.headers) {
    if (equals_ignore_case(name, "connection")) {
      for_each_element(value, [&](std::string_view option) {
        if (equals_ignore_case(option, "close")) framing.keep_alive = false;
      });
    } else if (equals_ignore_case(name, "transfer-encoding")) {
      has_transfer_encoding = true;
      for_each_element(value, [&](std::string_view coding) { last_coding = coding; });
    } else if (equals_ignore_case(name, "content-length")) {
      for_each_element(value, [&](std::string_view element) {
        const auto parsed = parse_decimal(element);
        if (!parsed || (length && *length != *parsed)) {
          throw ProtocolError("an invalid or conflicting Content-Length in the response");
        }
        length = parsed;
      });
    }
  }

  if (method == "HEAD" || head.status < 200 || head.status == 204 || head.status == 304) {
    framing.kind = BodyFraming::Kind::none;
  } else if (has_transfer_encoding) {
    // Transfer-Encoding overrides Content-Length; a body not ending in "chunked" runs to the close.
    if (length) framing.keep_alive = false;
    if (equals_ignore_case(last_coding, "chunked")) {
      framing.kind = BodyFraming::Kind::chunked;
    } else {
      framing.kind = BodyFraming::Kind::until_close;
      framing.keep_alive = false;
    }
  } else if (length) {
    framing.kind = *length == 0 ? BodyFraming::Kind::none : BodyFraming::Kind::length;
    framing.length = *length;
  } else {
    framing.kind = BodyFraming::Kind::until_close;
    framing.keep_alive = false;
  }
  return framing;
}

std::size_t ChunkedDecoder::feed(std::string_view input,
                                 const std::function<void(std::string_view)>& on_data) {
  std::size_t at = 0;
  while (at < input.size() && state_ != State::done) {
    if (state_ == State::data) {
      const auto n =
          static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size() - at));
      on_data(input.substr(at, n));
      at += n;
      remaining_ -= n;
      if (remaining_ == 0) state_ = State::data_end;
      continue;
    }
    const auto newline = input.find('\n', at);
    const auto end = newline == std::string_view::npos ? input.size() : newline + 1;
    if (line_.size() + (end - at) > max_line_) {
      throw ProtocolError("a chunk-size or trailer line longer than " + std::to_string(max_line_) +
                          " bytes");
    }
    line_.append(input.substr(at, end - at));
    at = end;
    if (newline == std::string_view::npos) break;
    std::string_view line(line_);
    line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    end_of_line(line);
    line_.clear();
  }
  return at;
}

void ChunkedDecoder::end_of_line(std::string_view line) {
  switch (state_) {
    case State::size: {
      std::size_t digits = 0;
      std::uint64_t size = 0;
      while (digits < line.size() && std::isxdigit(static_cast<unsigned char>(line[digits]))) {
        if (digits == 15) throw ProtocolError("a chunk size too large");
        const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(line[digits])));
        size = size * 16 + static_cast<std::uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
        ++digits;
      }
      const auto rest = trim(line.substr(digits));
      if (digits == 0 || (!rest.empty() && rest.front() != ';')) {
        throw ProtocolError("an invalid chunk size line");
      }
      remaining_ = size;
      state_ = size == 0 ? State::trailer : State::data;
      break;
    }
    case State::data_end:
      if (!line.empty()) throw ProtocolError("chunk data longer than its declared size");
      state_ = State::size;
      break;
    case State::trailer:
      if (line.empty()) {
        state_ = State::done;
      } else if ((trailer_bytes_ += line.size()) > max_trailer_) {
        throw ProtocolError("a chunked trailer section that is too large");
      }
      break;
    case State::data:
    case State::done:
      break;
  }
}

}  // namespace agent_host::http_client
