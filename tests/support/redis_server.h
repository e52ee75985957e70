// A real redis-server for tests: loopback, a free port, its own temporary folder, no
// persistence; stopped (and reaped) when the object goes. stop() and start() stop and restart it
// on the same port, for fault tests.
#pragma once

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace agent_test {

class RedisServer {
 public:
  // `extra_args` go to redis-server as they are, e.g. {"--requirepass", "s3cret"}.
  explicit RedisServer(std::vector<std::string> extra_args = {})
      : extra_args_(std::move(extra_args)) {
    // A port that was free a moment ago can be taken meanwhile: try a few.
    for (int attempt = 0; attempt < 5 && pid_ < 0; ++attempt) {
      port_ = free_port();
      try {
        start();
      } catch (const std::runtime_error&) {
        if (attempt == 4) throw;
      }
    }
  }
  ~RedisServer() { stop(); }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  unsigned port() const noexcept { return port_; }
  std::string url(int database = 0) const {
    return "redis://127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(database);
  }
  bool running() const noexcept { return pid_ > 0; }

  // Starts the server (again) on its port and waits until it answers (up to 5 s).
  void start() {
    if (pid_ > 0) return;
    std::vector<std::string> args{"redis-server",
                                  "--port",
                                  std::to_string(port_),
                                  "--bind",
                                  "127.0.0.1",
                                  "--dir",
                                  dir_.path().string(),
                                  "--save",
                                  "",
                                  "--appendonly",
                                  "no",
                                  "--daemonize",
                                  "no",
                                  "--logfile",
                                  (dir_.path() / "redis.log").string()};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const std::string binary = find_binary("redis-server");
    // fork + exec rather than posix_spawn: the child asks to be killed when the test process
    // dies, so a crashed test leaves no redis-server behind. Only async-signal-safe calls
    // between fork and exec.
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);
      const int devnull = open("/dev/null", O_RDWR);
      if (devnull >= 0) {
        dup2(devnull, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
      }
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    pid_ = pid;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!answers()) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("redis-server exited at start; see " +
                                 (dir_.path() / "redis.log").string());
      }
      if (std::chrono::steady_clock::now() > deadline) {
        stop();
        throw std::runtime_error("redis-server did not answer within 5 s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // Stops the server (SIGTERM; SIGKILL after 5 s) and reaps it.
  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
  }

 private:
  static std::string find_binary(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    for (std::size_t start = 0; start <= dirs.size();) {
      const auto end = std::min(dirs.find(':', start), dirs.size());
      const auto candidate = std::filesystem::path(dirs.substr(start, end - start)) / name;
      if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
      start = end + 1;
    }
    throw std::runtime_error(name + " not found in PATH (install the redis-server package)");
  }

  static unsigned free_port() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    return socket.address().port();
  }

  // Whether something on the port speaks RESP (a PING gets +PONG, or -NOAUTH with a password).
  bool answers() const {
    try {
      Poco::Net::StreamSocket socket;
      socket.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port_)),
                     Poco::Timespan(0, 200000));
      socket.setReceiveTimeout(Poco::Timespan(0, 500000));
      socket.sendBytes("PING\r\n", 6);
      char reply[64];
      const int n = socket.receiveBytes(reply, sizeof(reply));
      return n > 0 && (reply[0] == '+' || reply[0] == '-');
    } catch (const Poco::Exception&) {
      return false;
    }
  }

  std::vector<std::string> extra_args_;
  TempDir dir_;
  unsigned port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace agent_test
