// Runs the fake OpenAI/Anthropic upstream (tests/fake_upstream/server.js, see its README) as a
// child `node` process on a free loopback port, for as long as the object lives. The child is
// stopped and reaped by the destructor; if this process dies without running it, the child sees
// its stdin close and exits too, so no server outlives a test run.
//
// Link with agent_test_fake_upstream (Poco NetSSL for the HTTPS mode's control calls).
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/StreamCopier.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace agent_test {

namespace fake_upstream_detail {

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const noexcept { return fd_; }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

inline std::pair<Fd, Fd> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe2");
  return {Fd(fds[0]), Fd(fds[1])};
}

// A spawned child: SIGTERM, a grace period, then SIGKILL, and always reaped.
class Child {
 public:
  Child() = default;
  explicit Child(pid_t pid) noexcept : pid_(pid) {}
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() { stop(); }

  pid_t pid() const noexcept { return pid_; }

  // True while the process runs (reaps it when it has exited).
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    return true;
  }

  void stop() noexcept {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      const pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_ || (done < 0 && errno != EINTR)) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

// Everything written to `fd` so far (an unlinked temporary file shared with the child).
inline std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  for (off_t at = 0;;) {
    const ssize_t n = ::pread(fd, buffer, sizeof(buffer), at);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    at += n;
  }
  return text;
}

// Poco's SSL initialisation, reference-counted, for as long as a TLS fake lives.
class SslLibrary {
 public:
  explicit SslLibrary(bool on) : on_(on) {
    if (on_) Poco::Net::initializeSSL();
  }
  SslLibrary(const SslLibrary&) = delete;
  SslLibrary& operator=(const SslLibrary&) = delete;
  ~SslLibrary() {
    if (on_) Poco::Net::uninitializeSSL();
  }

 private:
  bool on_;
};

}  // namespace fake_upstream_detail

class FakeUpstream {
 public:
  struct Options {
    bool tls = false;  // serve HTTPS with tests/fixtures/tls/fake_upstream.*
    std::string api_key = "sk-fake-test-key";
  };

  FakeUpstream() : FakeUpstream(Options{}) {}
  explicit FakeUpstream(Options options) : options_(std::move(options)), ssl_(options_.tls) {
    using namespace fake_upstream_detail;
    auto [stdin_read, stdin_write] = make_pipe();
    auto [stdout_read, stdout_write] = make_pipe();
    std::string stderr_path =
        (std::filesystem::temp_directory_path() / "fake-upstream-stderr-XXXXXX").string();
    stderr_ = Fd(::mkostemp(stderr_path.data(), O_CLOEXEC));
    if (stderr_.get() < 0) throw std::system_error(errno, std::generic_category(), "mkostemp");
    ::unlink(stderr_path.c_str());

    std::vector<std::string> args = {"node",      script_file(),    "--port",
                                     "0",         "--host",         "127.0.0.1",
                                     "--api-key", options_.api_key, "--exit-with-stdin"};
    if (options_.tls) {
      args.insert(args.end(), {"--tls-cert", certificate_file(), "--tls-key", key_file()});
    }
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, stdin_read.get(), 0);
    posix_spawn_file_actions_adddup2(&actions, stdout_write.get(), 1);
    posix_spawn_file_actions_adddup2(&actions, stderr_.get(), 2);
    pid_t pid = -1;
    const int spawned = ::posix_spawnp(&pid, "node", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      throw std::system_error(spawned, std::generic_category(),
                              "cannot start `node` (is Node.js installed and on PATH?)");
    }
    child_ = std::make_unique<Child>(pid);
    stdin_ = std::move(stdin_write);  // held open: its end of file tells the child we are gone
    stdout_ = std::move(stdout_read);
    stdin_read.reset();
    stdout_write.reset();
    port_ = read_port();
  }

  ~FakeUpstream() = default;  // members in reverse: the child is stopped and reaped first

  FakeUpstream(const FakeUpstream&) = delete;
  FakeUpstream& operator=(const FakeUpstream&) = delete;

  int port() const { return port_; }
  // http(s)://127.0.0.1:PORT, without a trailing slash.
  std::string base_url() const {
    return std::string(options_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
  }
  const std::string& api_key() const { return options_.api_key; }

  // GET /_stats: {"requests", "by_path", "open_connections", "client_aborts", "in_flight"}.
  nlohmann::json stats() const { return call("GET", "/_stats"); }
  // POST /_reset: zeroes the counters, the [[times:N]] counters and the request log.
  void reset() { call("POST", "/_reset"); }
  // GET /_requests?last=N: [{"method", "path", "headers", "body"}], newest last.
  nlohmann::json requests(int last) const {
    return call("GET", "/_requests?last=" + std::to_string(last));
  }

  static std::string script_file() {
    return std::string(AGENT_TEST_SOURCE_DIR) + "/tests/fake_upstream/server.js";
  }
  // The self-signed test certificate (also its own CA) and its key.
  static std::string certificate_file() {
    return std::string(AGENT_TEST_SOURCE_DIR) + "/tests/fixtures/tls/fake_upstream.crt";
  }
  static std::string key_file() {
    return std::string(AGENT_TEST_SOURCE_DIR) + "/tests/fixtures/tls/fake_upstream.key";
  }

  // A client TLS context trusting only the test certificate.
  static Poco::Net::Context::Ptr client_tls_context() {
    return new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", certificate_file(),
                                  Poco::Net::Context::VERIFY_RELAXED);
  }

  // A session to the fake (HTTP or HTTPS as configured), with a 10 s timeout.
  std::unique_ptr<Poco::Net::HTTPClientSession> session() const {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (options_.tls) {
      session = std::make_unique<Poco::Net::HTTPSClientSession>(
          "127.0.0.1", static_cast<Poco::UInt16>(port_), client_tls_context());
    } else {
      session = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1",
                                                               static_cast<Poco::UInt16>(port_));
    }
    session->setTimeout(Poco::Timespan(10, 0));
    return session;
  }

 private:
  // Reads "LISTENING <port>" within 10 s; otherwise stops the child and throws with its stderr.
  int read_port() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string line;
    while (line.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) fail("did not print LISTENING within 10 s");
      pollfd ready{stdout_.get(), POLLIN, 0};
      const int polled = ::poll(&ready, 1, static_cast<int>(left.count()));
      if (polled < 0 && errno == EINTR) continue;
      if (polled <= 0) continue;
      char buffer[256];
      const ssize_t n = ::read(stdout_.get(), buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("exited before it was listening");
      line.append(buffer, static_cast<std::size_t>(n));
    }
    line.resize(line.find('\n'));
    const std::string prefix = "LISTENING ";
    if (line.rfind(prefix, 0) != 0) fail("printed \"" + line + "\" instead of LISTENING <port>");
    return std::stoi(line.substr(prefix.size()));
  }

  [[noreturn]] void fail(const std::string& why) {
    child_.reset();
    throw std::runtime_error("fake upstream (" + script_file() + ") " + why + "; its stderr:\n" +
                             fake_upstream_detail::read_all(stderr_.get()));
  }

  nlohmann::json call(const std::string& method, const std::string& path) const {
    auto client = session();
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (method == "POST") request.setContentLength(0);
    client->sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = client->receiveResponse(response);
    std::string body;
    Poco::StreamCopier::copyToString(in, body);
    if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
      throw std::runtime_error("fake upstream " + method + " " + path + " answered " +
                               std::to_string(static_cast<int>(response.getStatus())) + ": " +
                               body);
    }
    return nlohmann::json::parse(body);
  }

  Options options_;
  fake_upstream_detail::SslLibrary ssl_;
  fake_upstream_detail::Fd stdin_;
  fake_upstream_detail::Fd stdout_;
  fake_upstream_detail::Fd stderr_;
  std::unique_ptr<fake_upstream_detail::Child> child_;
  int port_ = 0;
};

}  // namespace agent_test
