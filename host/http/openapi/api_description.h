// The API description served by GET /openapi.json and GET /docs. Both are files in this folder
// (openapi.json, docs.html), reviewable as they are, embedded into the binary at build time
// (host/CMakeLists.txt generates embedded.cpp from embedded.cpp.in).
#pragma once

#include <string_view>

namespace agent_host::http::openapi {

// The OpenAPI 3.1 document (JSON text).
std::string_view document() noexcept;
// A self-contained HTML page that fetches /openapi.json and renders it (no external resources).
std::string_view docs_page() noexcept;

}  // namespace agent_host::http::openapi
