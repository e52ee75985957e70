#include "plugins/elf_symbols.h"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

namespace agent_host::plugins {
namespace {

template <typename T>
T read_at(std::ifstream& in, std::uint64_t offset, const std::string& what) {
  T value{};
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(reinterpret_cast<char*>(&value), sizeof(T));
  if (!in) throw std::runtime_error("truncated ELF file (reading " + what + ")");
  return value;
}

}  // namespace

std::vector<ElfSymbol> read_dynamic_symbols(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open file");

  unsigned char ident[EI_NIDENT] = {};
  in.read(reinterpret_cast<char*>(ident), sizeof(ident));
  if (!in || std::memcmp(ident, ELFMAG, SELFMAG) != 0) {
    throw std::runtime_error("not a shared library (no ELF header)");
  }
  if (ident[EI_CLASS] != ELFCLASS64 || ident[EI_DATA] != ELFDATA2LSB) {
    throw std::runtime_error("not a 64-bit little-endian ELF file");
  }
  const auto header = read_at<Elf64_Ehdr>(in, 0, "ELF header");
  if (header.e_type != ET_DYN) throw std::runtime_error("ELF file is not a shared library");
#if defined(__x86_64__)
  if (header.e_machine != EM_X86_64) throw std::runtime_error("ELF file is for another machine");
#elif defined(__aarch64__)
  if (header.e_machine != EM_AARCH64) throw std::runtime_error("ELF file is for another machine");
#endif
  if (header.e_shentsize != sizeof(Elf64_Shdr) || header.e_shnum == 0 || header.e_shnum > 4096) {
    throw std::runtime_error("ELF file has no usable section table");
  }

  std::vector<Elf64_Shdr> sections(header.e_shnum);
  for (std::size_t i = 0; i < sections.size(); ++i) {
    sections[i] = read_at<Elf64_Shdr>(in, header.e_shoff + i * sizeof(Elf64_Shdr), "sections");
  }

  std::vector<ElfSymbol> out;
  for (const Elf64_Shdr& section : sections) {
    if (section.sh_type != SHT_DYNSYM) continue;
    if (section.sh_link >= sections.size() || section.sh_entsize != sizeof(Elf64_Sym)) {
      throw std::runtime_error("ELF file has a malformed dynamic symbol table");
    }
    const Elf64_Shdr& strtab = sections[section.sh_link];
    constexpr std::uint64_t kMaxTable = 64ull << 20;  // refuse absurd sizes in hostile files
    if (strtab.sh_size > kMaxTable || section.sh_size > kMaxTable) {
      throw std::runtime_error("ELF dynamic symbol table is implausibly large");
    }
    std::string names(strtab.sh_size, '\0');
    in.seekg(static_cast<std::streamoff>(strtab.sh_offset));
    in.read(names.data(), static_cast<std::streamsize>(names.size()));
    if (!in) throw std::runtime_error("truncated ELF file (reading symbol names)");

    const std::uint64_t count = section.sh_size / sizeof(Elf64_Sym);
    for (std::uint64_t i = 1; i < count; ++i) {  // entry 0 is the reserved null symbol
      const auto sym = read_at<Elf64_Sym>(in, section.sh_offset + i * sizeof(Elf64_Sym), "symbols");
      const unsigned binding = ELF64_ST_BIND(sym.st_info);
      if (binding == STB_LOCAL || ELF64_ST_VISIBILITY(sym.st_other) != STV_DEFAULT) continue;
      if (sym.st_name >= names.size()) continue;
      ElfSymbol symbol;
      symbol.name = names.c_str() + sym.st_name;
      symbol.binding = binding;
      symbol.type = ELF64_ST_TYPE(sym.st_info);
      symbol.defined = sym.st_shndx != SHN_UNDEF;
      out.push_back(std::move(symbol));
    }
  }
  return out;
}

}  // namespace agent_host::plugins
