// Bounds on what an upstream may send one call, so a broken or hostile server cannot make the
// plugin grow memory without limit.
#pragma once

#include <cstddef>

namespace providers {

// Bytes of one response body, streamed or not.
inline constexpr std::size_t kMaxResponseBytes = std::size_t{16} << 20;
// Bytes of one server-sent event (a streamed chunk is a few hundred bytes).
inline constexpr std::size_t kMaxEventBytes = std::size_t{1} << 20;
// Bytes of an error answer kept for its message; the rest is read and dropped.
inline constexpr std::size_t kMaxErrorBodyBytes = std::size_t{64} << 10;
// Tool calls in one assistant message.
inline constexpr std::size_t kMaxToolCalls = 128;
// Characters of an upstream's error message quoted in our own.
inline constexpr std::size_t kMaxQuotedMessage = 400;

}  // namespace providers
