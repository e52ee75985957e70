#include "http/utf8.h"

#include <catch2/catch.hpp>

using agent_host::http::utf8_length;

TEST_CASE("utf8_length counts code points", "[http][utf8]") {
  CHECK(utf8_length("") == 0u);
  CHECK(utf8_length("abc") == 3u);
  CHECK(utf8_length("é€𝄞") == 3u);  // 2-, 3- and 4-byte sequences
}

TEST_CASE("utf8_length rejects invalid UTF-8", "[http][utf8]") {
  CHECK_FALSE(utf8_length("\xff"));
  CHECK_FALSE(utf8_length("\xc3"));              // truncated
  CHECK_FALSE(utf8_length("\xe2\x82"));          // truncated
  CHECK_FALSE(utf8_length("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(utf8_length("\xed\xa0\x80"));      // a UTF-16 surrogate
  CHECK_FALSE(utf8_length("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(utf8_length("a\x80"));             // a stray continuation byte
}
