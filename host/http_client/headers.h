// HTTP header fields as the client passes them around: in order, duplicates kept.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace agent_host::http_client {

struct Header {
  std::string name;
  std::string value;
};
using Headers = std::vector<Header>;

inline bool equals_ignore_case(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The first field called `name` (case-insensitive), or null.
inline const Header* find_header(const Headers& headers, std::string_view name) noexcept {
  const auto it = std::find_if(headers.begin(), headers.end(),
                               [&](const Header& h) { return equals_ignore_case(h.name, name); });
  return it == headers.end() ? nullptr : &*it;
}

}  // namespace agent_host::http_client
