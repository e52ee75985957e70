// Which conversation store the host runs and how to reach it (the "store" block of host.json).
#pragma once

#include <filesystem>
#include <string>

#include "store/memory_conversation_store.h"

namespace agent_host::store {

struct StoreConfig {
  // memory: in-process, lost on exit (tests). sqlite: the embedded default, one file. postgresql:
  // a server several hosts share.
  enum class Type { memory, sqlite, postgresql } type = Type::memory;
  MemoryStoreLimits memory;
  std::filesystem::path sqlite_path;
  // libpq keyword/value string without the password ("host=... port=... dbname=... user=...").
  std::string postgresql_connection;
  // Name of the host secret holding the PostgreSQL password ("" = none, or libpq's own
  // PGPASSWORD / ~/.pgpass).
  std::string password_secret;
  std::size_t pool_size = 16;  // connections (readers for SQLite)
  std::size_t acquire_timeout_ms = 5000;
};

}  // namespace agent_host::store
