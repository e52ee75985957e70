// agent_sdk/json_codec.hpp — JSON text <-> nlohmann::json, fast, for the plugin boundary.
//
// Everything that crosses the ABI is JSON text, so a chat turn parses and prints the same
// documents several times (the provider's input with its system prompt, the upstream body, the
// result). nlohmann's own lexer copies every character on its own (about 100 instructions a byte)
// and its printer decodes UTF-8 a byte at a time; these two functions copy runs of plain bytes in
// one piece instead, and build the very same nlohmann::json values:
//
//   agent_sdk::parse_json(text)  accepts and rejects what nlohmann::json::parse(text) does and
//                                returns an equal value (same number types, duplicate keys: the
//                                last one wins, a leading UTF-8 BOM skipped, a NUL byte after
//                                the value read as the end of the input);
//   agent_sdk::try_parse_json    the same, with a discarded value instead of an exception;
//   agent_sdk::dump_json(value)  prints exactly what value.dump() prints (compact, keys sorted,
//                                non-ASCII UTF-8 kept as is), invalid UTF-8 handled by `handler`
//                                as dump() does.
//
// The equivalence is checked by a differential fuzz target (tests/fuzz/json_codec_fuzz.cpp).
// One deliberate difference: nesting deeper than kMaxJsonDepth is refused, where nlohmann has no
// bound; printing and destroying such a value would otherwise recurse that deep.
// Errors are nlohmann's own exception types (parse_error 101, out_of_range 406, type_error 316),
// so code that catches nlohmann::json::exception needs no change; the messages are ours.
#ifndef AGENT_SDK_JSON_CODEC_HPP
#define AGENT_SDK_JSON_CODEC_HPP

#include <charconv>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace agent_sdk {

// Containers nested deeper than this are refused by parse_json.
inline constexpr std::size_t kMaxJsonDepth = 1024;

namespace json_codec_detail {

using Json = nlohmann::json;

// 1 for bytes a JSON string holds as they are, in both directions: printable ASCII except the
// quote and the backslash.
struct PlainBytes {
  bool plain[256] = {};
  constexpr PlainBytes() {
    for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  }
};
inline constexpr PlainBytes kPlain{};

// True when one of the 8 bytes at p is not plain (a control character, '"', '\\' or non-ASCII).
// Checking a word at a time keeps long strings (system prompts, answers) at about one
// instruction a byte; the exact byte is then found one at a time.
inline bool word_needs_look(const unsigned char* p) noexcept {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  const auto has_zero_byte = [](std::uint64_t x) { return (x - kOnes) & ~x & kHighs; };
  const std::uint64_t below_space = (v - kOnes * 0x20) & ~v & kHighs;
  return (below_space | has_zero_byte(v ^ (kOnes * '"')) | has_zero_byte(v ^ (kOnes * '\\')) |
          (v & kHighs)) != 0;
}

// Advances p over plain bytes, up to end.
inline const unsigned char* skip_plain(const unsigned char* p, const unsigned char* end) noexcept {
  while (end - p >= 8 && !word_needs_look(p)) p += 8;
  while (p < end && kPlain.plain[*p]) ++p;
  return p;
}

// Length of the well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, at most
// U+10FFFF) starting at p, whose first byte is >= 0x80; 0 when it is not well formed.
inline std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end) noexcept {
  const unsigned char c = p[0];
  const auto cont = [&](std::size_t i, unsigned char lo, unsigned char hi) {
    return p + i < end && p[i] >= lo && p[i] <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(1, 0x80, 0xBF) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
  }
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) {
    return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  }
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  return 0;
}

inline void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text)
      : begin_(reinterpret_cast<const unsigned char*>(text.data())),
        p_(begin_),
        end_(begin_ + text.size()) {}

  Json parse() {
    if (end_ - p_ >= 3 && p_[0] == 0xEF && p_[1] == 0xBB && p_[2] == 0xBF) p_ += 3;
    Json root;
    std::vector<Json*> open;  // containers not closed yet, innermost last
    Json* slot = &root;       // where the next value goes
    for (;;) {
      skip_space();
      if (p_ == end_) fail("unexpected end of input; expected a value");
      bool complete = true;  // false when a non-empty container was opened
      switch (*p_) {
        case '{':
          check_depth(open);
          ++p_;
          *slot = Json::object();
          skip_space();
          if (p_ < end_ && *p_ == '}') {
            ++p_;
          } else {
            open.push_back(slot);
            slot = &member(*slot);
            complete = false;
          }
          break;
        case '[':
          check_depth(open);
          ++p_;
          *slot = Json::array();
          skip_space();
          if (p_ < end_ && *p_ == ']') {
            ++p_;
          } else {
            open.push_back(slot);
            slot = &slot->emplace_back();
            complete = false;
          }
          break;
        case '"':
          ++p_;
          *slot = string();
          break;
        case 't':
          literal("true");
          *slot = true;
          break;
        case 'f':
          literal("false");
          *slot = false;
          break;
        case 'n':
          literal("null");
          *slot = nullptr;
          break;
        default:
          number(*slot);
      }
      if (!complete) continue;
      // The value is done: close what ends here and find where the next value goes.
      for (;;) {
        skip_space();
        if (open.empty()) {
          // nlohmann reads a NUL byte as the end of the input; so do we, to accept the same.
          if (p_ != end_ && *p_ != '\0') fail("unexpected content after the JSON value");
          return root;
        }
        Json& container = *open.back();
        if (p_ == end_) fail("unexpected end of input; expected ',' or a closing bracket");
        const unsigned char c = *p_++;
        if (c == ',') {
          slot = container.is_array() ? &container.emplace_back() : &member(container);
          break;
        }
        if (c == (container.is_array() ? ']' : '}')) {
          open.pop_back();
          continue;
        }
        --p_;
        fail(container.is_array() ? "expected ',' or ']'" : "expected ',' or '}'");
      }
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Json::parse_error::create(101, static_cast<std::size_t>(p_ - begin_) + 1,
                                    "syntax error: " + what, nullptr);
  }

  void skip_space() noexcept {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  // A container about to open sits one level below the open ones.
  void check_depth(const std::vector<Json*>& open) const {
    if (open.size() >= kMaxJsonDepth) {
      fail("nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
  }

  // Reads `"key":` and returns the member it names (an existing one when the key repeats, as
  // nlohmann's parser does: the last value wins).
  Json& member(Json& object) {
    skip_space();
    if (p_ == end_ || *p_ != '"') fail("expected a string as the object key");
    ++p_;
    std::string key = string();
    skip_space();
    if (p_ == end_ || *p_ != ':') fail("expected ':' after the object key");
    ++p_;
    return object[std::move(key)];
  }

  void literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(reinterpret_cast<const char*>(p_), word.size()) != word) {
      fail("invalid literal");
    }
    p_ += word.size();
  }

  // After the opening quote; consumes the closing one.
  std::string string() {
    std::string out;
    const unsigned char* run = p_;
    for (;;) {
      p_ = skip_plain(p_, end_);
      if (p_ == end_) fail("unterminated string");
      const unsigned char c = *p_;
      if (c == '"') {
        out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p_ - run));
        ++p_;
        return out;
      }
      if (c == '\\') {
        out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p_ - run));
        ++p_;
        escape(out);
        run = p_;
      } else if (c < 0x20) {
        fail("control characters must be escaped in strings");
      } else {
        const std::size_t length = utf8_sequence(p_, end_);
        if (length == 0) fail("invalid UTF-8 in string");
        p_ += length;
      }
    }
  }

  void escape(std::string& out) {
    if (p_ == end_) fail("unterminated string");
    switch (*p_++) {
      case '"':
        out += '"';
        return;
      case '\\':
        out += '\\';
        return;
      case '/':
        out += '/';
        return;
      case 'b':
        out += '\b';
        return;
      case 'f':
        out += '\f';
        return;
      case 'n':
        out += '\n';
        return;
      case 'r':
        out += '\r';
        return;
      case 't':
        out += '\t';
        return;
      case 'u':
        break;
      default:
        --p_;
        fail("invalid escape in string");
    }
    std::uint32_t code_point = hex4();
    if (code_point >= 0xDC00 && code_point <= 0xDFFF) {
      fail("a low surrogate must follow a high surrogate");
    }
    if (code_point >= 0xD800 && code_point <= 0xDBFF) {
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') {
        fail("a high surrogate must be followed by a low surrogate");
      }
      p_ += 2;
      const std::uint32_t low = hex4();
      if (low < 0xDC00 || low > 0xDFFF)
        fail("a high surrogate must be followed by a low surrogate");
      code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, code_point);
  }

  std::uint32_t hex4() {
    if (end_ - p_ < 4) fail("'\\u' must be followed by four hexadecimal digits");
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const unsigned char c = *p_;
      std::uint32_t digit = 0;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        digit = c - 'A' + 10;
      } else {
        fail("'\\u' must be followed by four hexadecimal digits");
      }
      value = value * 16 + digit;
      ++p_;
    }
    return value;
  }

  bool digit_here() const noexcept { return p_ < end_ && *p_ >= '0' && *p_ <= '9'; }

  // RFC 8259 numbers, typed as nlohmann types them: a non-negative integer is number_unsigned,
  // a negative one number_integer, anything else (or an integer out of 64-bit range) a double.
  void number(Json& slot) {
    const unsigned char* start = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (!digit_here()) fail("invalid literal");
    if (*p_ == '0') {
      ++p_;
    } else {
      while (digit_here()) ++p_;
    }
    bool integer = true;
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      integer = false;
      if (!digit_here()) fail("expected a digit after the decimal point");
      while (digit_here()) ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      integer = false;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digit_here()) fail("expected a digit in the exponent");
      while (digit_here()) ++p_;
    }
    const char* first = reinterpret_cast<const char*>(start);
    const char* last = reinterpret_cast<const char*>(p_);
    if (integer) {
      if (negative) {
        std::int64_t value = 0;
        if (std::from_chars(first, last, value).ec == std::errc()) {
          slot = static_cast<Json::number_integer_t>(value);
          return;
        }
      } else {
        std::uint64_t value = 0;
        if (std::from_chars(first, last, value).ec == std::errc()) {
          slot = static_cast<Json::number_unsigned_t>(value);
          return;
        }
      }
    }
#if defined(__cpp_lib_to_chars) && __cpp_lib_to_chars >= 201611L
    double value = 0;
    if (std::from_chars(first, last, value).ec == std::errc()) {
      slot = value;
      return;
    }
#endif
    // Out of a double's range (or no floating-point from_chars): nlohmann decides, which gives the
    // same value for an underflow and the same out_of_range 406 for an overflow.
    slot = Json::parse(first, last);
  }

  const unsigned char* const begin_;
  const unsigned char* p_;
  const unsigned char* const end_;
};

inline void append_escaped(std::string& out, const std::string& text,
                           Json::error_handler_t handler) {
  const std::size_t mark = out.size();
  out += '"';
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  const unsigned char* run = p;
  for (;;) {
    p = skip_plain(p, end);
    if (p == end) break;
    const unsigned char c = *p;
    if (c >= 0x80) {
      const std::size_t length = utf8_sequence(p, end);
      if (length == 0) {
        // Invalid UTF-8 is rare: nlohmann prints this string, so it throws or replaces exactly
        // as dump() would.
        out.resize(mark);
        out += Json(text).dump(-1, ' ', false, handler);
        return;
      }
      p += length;
      continue;
    }
    out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(escaped, sizeof escaped);
      }
    }
    run = ++p;
  }
  out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(end - run));
  out += '"';
}

template <typename Integer>
void append_integer(std::string& out, Integer value) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, static_cast<std::size_t>(result.ptr - digits));
}

inline void append_json(std::string& out, const Json& value, Json::error_handler_t handler) {
  switch (value.type()) {
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.get_ref<const Json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        append_escaped(out, key, handler);
        out += ':';
        append_json(out, member, handler);
      }
      out += '}';
      return;
    }
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const Json& element : value.get_ref<const Json::array_t&>()) {
        if (!first) out += ',';
        first = false;
        append_json(out, element, handler);
      }
      out += ']';
      return;
    }
    case Json::value_t::string:
      append_escaped(out, value.get_ref<const Json::string_t&>(), handler);
      return;
    case Json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::number_integer:
      append_integer(out, value.get<Json::number_integer_t>());
      return;
    case Json::value_t::number_unsigned:
      append_integer(out, value.get<Json::number_unsigned_t>());
      return;
    case Json::value_t::null:
      out += "null";
      return;
    default:  // doubles (nlohmann's shortest round-trip form), binary and discarded values
      out += value.dump(-1, ' ', false, handler);
  }
}

}  // namespace json_codec_detail

// Parses UTF-8 JSON text: nlohmann::json::parse(text), faster. Throws nlohmann::json::exception.
inline nlohmann::json parse_json(std::string_view text) {
  return json_codec_detail::Parser(text).parse();
}

// nlohmann::json::parse(text, nullptr, false), faster: a discarded value (is_discarded()) when
// the text is not JSON, instead of an exception.
inline nlohmann::json try_parse_json(std::string_view text) {
  try {
    return json_codec_detail::Parser(text).parse();
  } catch (const nlohmann::json::exception&) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
}

// Appends value.dump(-1, ' ', false, handler) to `out`, faster.
inline void append_json(
    std::string& out, const nlohmann::json& value,
    nlohmann::json::error_handler_t handler = nlohmann::json::error_handler_t::strict) {
  json_codec_detail::append_json(out, value, handler);
}

// value.dump(-1, ' ', false, handler), faster.
inline std::string dump_json(
    const nlohmann::json& value,
    nlohmann::json::error_handler_t handler = nlohmann::json::error_handler_t::strict) {
  std::string out;
  json_codec_detail::append_json(out, value, handler);
  return out;
}

}  // namespace agent_sdk

#endif  // AGENT_SDK_JSON_CODEC_HPP
