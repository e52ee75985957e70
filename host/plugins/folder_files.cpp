#include "plugins/folder_files.h"

#include <algorithm>
#include <string>

namespace agent_host::plugins {

std::vector<std::filesystem::path> folder_files(const std::filesystem::path& folder,
                                                std::string_view extension,
                                                std::error_code& error) {
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(folder, error), end; !error && it != end;
       it.increment(error)) {
    // Hidden names are work in progress (".name.so.tmp" before a rename into place).
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] != '.' && it->path().extension() == extension) {
      files.push_back(it->path());
    }
  }
  if (error) return {};
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace agent_host::plugins
