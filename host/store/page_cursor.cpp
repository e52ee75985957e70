#include "store/page_cursor.h"

#include <charconv>

#include "store/conversation_store.h"

namespace agent_host::store {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string to_hex(const std::string& text) {
  std::string hex;
  hex.reserve(text.size() * 2);
  for (const unsigned char c : text) {
    hex += kHex[c >> 4];
    hex += kHex[c & 0xf];
  }
  return hex;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The decoded text after its kind prefix ("m:" or "c:").
std::string decode(const std::string& cursor, const std::string& prefix) {
  if (cursor.size() % 2 != 0 || cursor.size() > 512) throw InvalidCursorError("invalid cursor");
  std::string text;
  for (std::size_t i = 0; i < cursor.size(); i += 2) {
    const int high = hex_digit(cursor[i]);
    const int low = hex_digit(cursor[i + 1]);
    if (high < 0 || low < 0) throw InvalidCursorError("invalid cursor");
    text += static_cast<char>(high * 16 + low);
  }
  if (text.compare(0, prefix.size(), prefix) != 0) throw InvalidCursorError("invalid cursor");
  return text.substr(prefix.size());
}

std::int64_t parse_int(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) {
    throw InvalidCursorError("invalid cursor");
  }
  return value;
}

}  // namespace

std::string message_cursor(std::int64_t after_seq) {
  return to_hex("m:" + std::to_string(after_seq));
}

std::int64_t parse_message_cursor(const std::string& cursor) {
  return parse_int(decode(cursor, "m:"));
}

std::string conversation_cursor(const ConversationPosition& after) {
  return to_hex("c:" + std::to_string(after.created_at_ms) + ":" + after.id);
}

ConversationPosition parse_conversation_cursor(const std::string& cursor) {
  const std::string text = decode(cursor, "c:");
  const auto colon = text.find(':');
  if (colon == std::string::npos) throw InvalidCursorError("invalid cursor");
  return {parse_int(std::string_view(text).substr(0, colon)), text.substr(colon + 1)};
}

}  // namespace agent_host::store
