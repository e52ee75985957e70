// Lists the files of a watched folder (plugins/*.so, agents/*.json) in name order, so that a
// folder loads the same way on every start and duplicates resolve deterministically.
#pragma once

#include <filesystem>
#include <string_view>
#include <system_error>
#include <vector>

namespace agent_host::plugins {

// The entries of `folder` whose extension is `extension` (e.g. ".so"), sorted by path. Names
// starting with '.' are skipped: writers use them for files not yet renamed into place.
// On failure `error` is set and the result is empty.
std::vector<std::filesystem::path> folder_files(const std::filesystem::path& folder,
                                                std::string_view extension, std::error_code& error);

}  // namespace agent_host::plugins
