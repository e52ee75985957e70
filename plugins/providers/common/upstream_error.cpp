#include "common/upstream_error.hpp"

#include <agent_sdk/json_codec.hpp>

#include "common/limits.hpp"

namespace providers {

using agent_sdk::Json;

namespace {

// The length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates),
// or 0 when there is none.
std::size_t sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size() || byte(1) < low || byte(1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
  }
  return length;
}

}  // namespace

std::string bounded_text(std::string_view text, std::size_t limit) {
  std::string out;
  std::size_t cut = 0;  // where to cut if the text turns out too long: room for "..."
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = sequence_length(text, i);
    if (length == 0) {
      out += '?';  // not UTF-8: the message must stay valid text
      i += 1;
    } else if (length == 1 && (static_cast<unsigned char>(text[i]) < 0x20 || text[i] == 0x7F)) {
      out += ' ';
      i += 1;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
    if (out.size() + 3 <= limit) cut = out.size();
    if (out.size() > limit) break;
  }
  if (out.size() <= limit) return out;
  out.resize(cut);
  return out + "...";
}

std::string upstream_message(std::string_view body) {
  const Json parsed = agent_sdk::try_parse_json(body);
  if (!parsed.is_discarded()) {
    if (parsed.is_object()) {
      const auto error = parsed.find("error");
      if (error != parsed.end()) {
        if (error->is_string()) return bounded_text(error->get<std::string>(), kMaxQuotedMessage);
        if (error->is_object()) {
          const auto message = error->find("message");
          if (message != error->end() && message->is_string()) {
            return bounded_text(message->get<std::string>(), kMaxQuotedMessage);
          }
        }
      }
      for (const char* key : {"message", "detail"}) {
        const auto it = parsed.find(key);
        if (it != parsed.end() && it->is_string()) {
          return bounded_text(it->get<std::string>(), kMaxQuotedMessage);
        }
      }
    }
    return {};  // JSON, but no message we recognise: quoting raw JSON helps nobody
  }
  // Plain text from a proxy or a small server; a whole HTML page is not worth quoting.
  std::string_view text = body;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\r')) {
    text.remove_prefix(1);
  }
  if (text.empty() || text.front() == '<') return {};
  return bounded_text(text, kMaxQuotedMessage);
}

namespace {

bool quota_exhausted(std::string_view body) {
  const Json parsed = agent_sdk::try_parse_json(body);
  if (!parsed.is_object()) return false;
  const auto error = parsed.find("error");
  if (error == parsed.end() || !error->is_object()) return false;
  for (const char* key : {"code", "type"}) {
    const auto it = error->find(key);
    if (it != error->end() && it->is_string() && *it == "insufficient_quota") return true;
  }
  return false;
}

std::string with_message(std::string text, std::string_view body) {
  const std::string message = upstream_message(body);
  if (!message.empty()) text += ": " + message;
  return text;
}

}  // namespace

UpstreamError error_for_status(std::string_view provider, int status, std::string_view body,
                               std::optional<std::chrono::milliseconds> retry_after) {
  const std::string who(provider);
  const std::string http = "(HTTP " + std::to_string(status) + ")";
  if (status == 401 || status == 403) {
    return UpstreamError(AGENT_ERR_UPSTREAM, who + ": upstream rejected the API key " + http, false,
                         status);
  }
  if (status == 429 && quota_exhausted(body)) {
    return UpstreamError(AGENT_ERR_UPSTREAM,
                         with_message(who + ": upstream quota exhausted " + http, body), false,
                         status);
  }
  if (status == 408 || status == 429 || (status >= 500 && status <= 599)) {
    return UpstreamError(AGENT_ERR_UNAVAILABLE,
                         with_message(who + ": upstream unavailable " + http, body), true, status,
                         retry_after);
  }
  if (status >= 400 && status <= 499) {
    return UpstreamError(AGENT_ERR_UPSTREAM,
                         with_message(who + ": upstream refused the request " + http, body), false,
                         status);
  }
  return UpstreamError(AGENT_ERR_UPSTREAM, who + ": unexpected answer from upstream " + http, false,
                       status);
}

UpstreamError malformed(std::string_view provider, const std::string& what) {
  return UpstreamError(AGENT_ERR_UPSTREAM, std::string(provider) + ": " + what, true);
}

}  // namespace providers
