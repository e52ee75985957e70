// The JSON nesting cap. nlohmann's parser keeps its own stack, so deep nesting does not overflow
// ours, but "[[[[..." of a 1 MiB body still builds a million nested values (and frees them
// recursively). A linear pre-scan refuses such a body before any value is built.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace agent_host::limits {

// The default cap (http.max_json_depth).
inline constexpr int kMaxJsonDepth = 64;

// The byte offset where `text` opens its (max_depth + 1)-th nested array or object, if it does.
// Brackets inside strings do not count. Does not validate anything else.
std::optional<std::size_t> json_too_deep_at(std::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace agent_host::limits
