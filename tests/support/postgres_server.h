// A real PostgreSQL server for a test: a throwaway cluster (tests/support/postgres_server.sh) on a
// random loopback port in a temporary folder, stopped and removed when the object goes. stop() and
// start() let fault tests take it away and bring it back on the same port.
#pragma once

#include <cstdio>
#include <stdexcept>
#include <string>

#include "support/temp_dir.h"

namespace agent_test {

class PostgresServer {
 public:
  PostgresServer() { start(); }
  ~PostgresServer() { run("stop"); }
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Starts the cluster (again). After the first start it keeps its port only if that port is
  // still free, so callers re-read connection() afterwards.
  void start() { port_ = std::stoi(run("start")); }
  // Stops it at once (-m immediate: like a crash, clients see their connections drop).
  void stop() { run("stop"); }

  // A new empty database; returns its libpq connection string.
  std::string create_database(const std::string& name) {
    run("createdb", name);
    return connection(name);
  }
  std::string connection(const std::string& database) const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + database +
           " user=postgres connect_timeout=5";
  }
  int port() const noexcept { return port_; }

 private:
  std::string run(const std::string& command, const std::string& argument = "") {
    const std::string line = "sh '" AGENT_TEST_SOURCE_DIR "/tests/support/postgres_server.sh' " +
                             command + " '" + dir_.path().string() + "' " + argument;
    FILE* pipe = popen(line.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("cannot run " + line);
    std::string output;
    char buffer[256];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    if (pclose(pipe) != 0) throw std::runtime_error("failed: " + line + "\n" + output);
    return output;
  }

  TempDir dir_;
  int port_ = 0;
};

// One server per test process, started on first use (each ctest case is its own process).
inline PostgresServer& shared_postgres() {
  static PostgresServer server;
  return server;
}

}  // namespace agent_test
