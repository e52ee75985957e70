// Real MCP servers for tests: the reference server-everything from npm (tests/node_modules,
// installed by `npm ci --prefix tests`) over stdio or Streamable HTTP, and our own small servers
// in tests/plugins/tools/servers/ (one that never answers, one that prints garbage, one that
// speaks the stateless 2026-07-28 revision, for which no reference server exists yet, and one on
// the official TypeScript SDK whose HTTP side reports what it received).
#pragma once

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/fake_upstream.h"

namespace agent_test {

inline std::string server_everything_js() {
  return std::string(AGENT_TEST_SOURCE_DIR) +
         "/tests/node_modules/@modelcontextprotocol/server-everything/dist/index.js";
}

inline std::string mcp_test_server(const std::string& file) {
  return std::string(AGENT_TEST_SOURCE_DIR) + "/tests/plugins/tools/servers/" + file;
}

// The mcp plugin's config for a stdio server run by node; `extra` is merged in.
inline nlohmann::json mcp_stdio(const std::vector<std::string>& args,
                                const nlohmann::json& extra = nlohmann::json::object()) {
  nlohmann::json config = {{"transport", "stdio"}, {"command", "node"}, {"args", args}};
  config.update(extra);
  return config;
}

inline nlohmann::json everything_stdio(const nlohmann::json& extra = nlohmann::json::object()) {
  return mcp_stdio({server_everything_js(), "stdio"}, extra);
}

// A loopback port nobody listens on right now.
inline unsigned free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// A node MCP server listening over HTTP on a free port (PORT and `env` in its environment),
// stopped and reaped by the destructor.
class McpHttpServer {
 public:
  explicit McpHttpServer(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {})
      : port_(free_port()) {
    using namespace fake_upstream_detail;
    std::vector<std::string> argv_text = {"node"};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_text) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_text = {"PORT=" + std::to_string(port_)};
    for (const auto& [name, value] : env) env_text.push_back(name + "=" + value);
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry(*e);
      const std::string name = entry.substr(0, entry.find('='));
      if (name != "PORT" && env.count(name) == 0) env_text.push_back(entry);
    }
    std::vector<char*> envp;
    for (auto& entry : env_text) envp.push_back(entry.data());
    envp.push_back(nullptr);
    auto [stdin_read, stdin_write] = make_pipe();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, stdin_read.get(), 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    const int spawned = ::posix_spawnp(&pid, "node", &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) throw std::runtime_error("cannot start node");
    child_ = std::make_unique<Child>(pid);
    stdin_ = std::move(stdin_write);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (true) {
      try {
        Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", port_));
        return;
      } catch (const std::exception&) {
        if (std::chrono::steady_clock::now() > deadline || !child_->running()) {
          throw std::runtime_error("the MCP HTTP server did not start listening");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/mcp"; }
  unsigned port() const { return port_; }

 private:
  unsigned port_;
  std::unique_ptr<fake_upstream_detail::Child> child_;
  fake_upstream_detail::Fd stdin_;
};

// Our own child processes (children of any of this process's threads) whose command line holds
// `needle`: how a test finds the stdio server the plugin started, to kill exactly that one.
inline std::vector<pid_t> own_children(const std::string& needle) {
  std::vector<pid_t> found;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream children(task.path() / "children");
    pid_t pid;
    while (children >> pid) {
      std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
      const std::string text((std::istreambuf_iterator<char>(cmdline)), {});
      if (text.find(needle) != std::string::npos) found.push_back(pid);
    }
  }
  return found;
}

}  // namespace agent_test
