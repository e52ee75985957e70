// UTF-8 checks for request validation: limits are in characters (code points), not bytes.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace agent_host::http {

// The number of code points in `text`, or nothing when it is not valid UTF-8 (overlong forms,
// surrogates and code points above U+10FFFF are invalid).
std::optional<std::size_t> utf8_length(std::string_view text) noexcept;

}  // namespace agent_host::http
