// Every plugin built with the SDK's rules exports only its entry symbol and no STB_GNU_UNIQUE
// symbol (which would make dlclose keep the old code on reload).
#include <catch2/catch.hpp>
#include <filesystem>

#include "plugins/elf_symbols.h"
#include "support/temp_dir.h"

using namespace agent_host::plugins;

namespace {

std::vector<std::filesystem::path> plugins_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".so") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> exported(const std::filesystem::path& file) {
  std::vector<std::string> names;
  for (const auto& symbol : read_dynamic_symbols(file)) {
    if (symbol.defined) names.push_back(symbol.name);
  }
  return names;
}

bool has_gnu_unique(const std::filesystem::path& file) {
  for (const auto& symbol : read_dynamic_symbols(file)) {
    if (symbol.binding == kStbGnuUnique) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("bundled plugins export only the entry symbol and nothing GNU_UNIQUE",
          "[plugins][symbols]") {
  const auto files = plugins_in(AGENT_TEST_PLUGIN_DIR);
  REQUIRE(files.size() >= 7);  // 3 personalities, 3 domains, the offline provider
  for (const auto& file : files) {
    INFO(file.string());
    CHECK(exported(file) == std::vector<std::string>{"agent_plugin_entry_v1"});
    CHECK_FALSE(has_gnu_unique(file));
  }
}

TEST_CASE("fixture plugins built with agent_sdk_add_plugin follow the same rules",
          "[plugins][symbols]") {
  for (const char* name : {"echo_provider", "plain_c_personality", "create_throws"}) {
    const auto file = agent_test::fixture_plugin(name);
    INFO(file.string());
    CHECK(exported(file) == std::vector<std::string>{"agent_plugin_entry_v1"});
    CHECK_FALSE(has_gnu_unique(file));
  }
}

TEST_CASE("the symbol check catches a library built without the rules", "[plugins][symbols]") {
  const auto file = agent_test::rule_breaking_fixture("gnu_unique");
  CHECK(has_gnu_unique(file));
  CHECK(exported(file).size() > 1);
}

TEST_CASE("the ELF reader refuses files that are not shared libraries", "[plugins][symbols]") {
  agent_test::TempDir dir;
  CHECK_THROWS_WITH(read_dynamic_symbols(dir.write("x.so", "hello")),
                    Catch::Contains("not a shared library"));
  CHECK_THROWS_WITH(read_dynamic_symbols(dir.write("t.so", std::string("\x7f"
                                                                       "ELF\x02\x01\x01",
                                                                       7) +
                                                               std::string(9, '\0'))),
                    Catch::Contains("truncated"));
  CHECK_THROWS_WITH(read_dynamic_symbols(dir.path() / "missing.so"),
                    Catch::Contains("cannot open"));
}
