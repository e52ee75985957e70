// A temporary folder removed with everything in it when the test ends.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace agent_test {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "agent-host-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }

  // Writes `content` to <dir>/<name> (creating sub-folders) and returns the path.
  std::filesystem::path write(const std::string& name, const std::string& content) const {
    const auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }

  // Copies a file into <dir>/<name>.
  std::filesystem::path copy(const std::filesystem::path& from, const std::string& name) const {
    const auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::filesystem::copy_file(from, file, std::filesystem::copy_options::overwrite_existing);
    return file;
  }

 private:
  std::filesystem::path path_;
};

inline std::filesystem::path fixture_plugin(const std::string& name) {
  return std::filesystem::path(AGENT_TEST_FIXTURE_DIR) / "plugins" / (name + ".so");
}

// A library built against the SDK's build rules on purpose (see tests/fixtures/plugins).
inline std::filesystem::path rule_breaking_fixture(const std::string& name) {
  return std::filesystem::path(AGENT_TEST_FIXTURE_DIR) / "rule_breakers" / (name + ".so");
}

inline std::filesystem::path bundled_plugin(const std::string& name) {
  return std::filesystem::path(AGENT_TEST_PLUGIN_DIR) / (name + ".so");
}

}  // namespace agent_test
