// Reads the dynamic symbol table of an ELF shared object without loading it, so the host can
// refuse a file (not a library, wrong ABI major, no entry symbol) before any of its code runs.
//
// Why not boost::dll::library_info: in Boost 1.74 it reads .symtab, which `strip` removes (and
// packaged plugins are stripped), so it would report no symbols at all. .dynsym is what the
// dynamic loader itself uses and is always present.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace agent_host::plugins {

struct ElfSymbol {
  std::string name;
  unsigned binding = 0;  // STB_GLOBAL = 1, STB_WEAK = 2, STB_GNU_UNIQUE = 10
  unsigned type = 0;     // STT_FUNC = 2, STT_OBJECT = 1, ...
  bool defined = false;  // false for imports (st_shndx == SHN_UNDEF)
};

inline constexpr unsigned kStbGnuUnique = 10;

// The exported (default-visibility, non-local) dynamic symbols of `file`.
// Throws std::runtime_error with a readable reason when the file is not a 64-bit ELF shared
// object for this machine.
std::vector<ElfSymbol> read_dynamic_symbols(const std::filesystem::path& file);

}  // namespace agent_host::plugins
