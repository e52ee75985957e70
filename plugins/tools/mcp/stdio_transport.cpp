#include "mcp/stdio_transport.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <agent_sdk/json_codec.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace mcp {
namespace {

using agent_sdk::Error;
using agent_sdk::Json;
using agent_sdk::LogLevel;
using std::chrono::milliseconds;

// A line on stdout longer than this is not a message we will hold in memory.
constexpr std::size_t kMaxLineBytes = 16u << 20;
constexpr std::size_t kMaxStderrLine = 2000;
// A child that lived this long had a fresh start: its next death restarts it quickly again.
constexpr milliseconds kHealthyLifetime{10000};

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

std::pair<Fd, Fd> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  return {Fd(fds[0]), Fd(fds[1])};
}

std::string exit_description(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "stopped";
}

}  // namespace

struct StdioTransport::Pending {
  std::optional<Json> response;
  std::optional<std::pair<int32_t, std::string>> failure;
};

struct StdioTransport::Child {
  pid_t pid = -1;
  Fd in;   // our end of the child's stdin
  Fd out;  // our end of its stdout
  Fd err;  // our end of its stderr
  Clock::time_point started;
};

StdioTransport::StdioTransport(StdioConfig config, std::map<std::string, std::string> env,
                               agent_sdk::Host host, std::string name, InboundHandler inbound)
    : config_(std::move(config)),
      env_(std::move(env)),
      host_(host),
      name_(std::move(name)),
      inbound_(std::move(inbound)) {
  supervisor_ = std::thread([this] { supervise(); });
}

StdioTransport::~StdioTransport() { stop(); }

void StdioTransport::log(LogLevel level, const std::string& message) const {
  host_.log(level, "mcp '" + name_ + "': " + message);
}

void StdioTransport::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (supervisor_.joinable() && supervisor_.get_id() != std::this_thread::get_id()) {
    supervisor_.join();
  }
}

std::uint64_t StdioTransport::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

pid_t StdioTransport::pid() const {
  std::lock_guard lock(mutex_);
  return running_ ? pid_ : -1;
}

void StdioTransport::supervise() {
  milliseconds backoff = config_.initial_backoff;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    Child child;
    const bool started = run_child(child);
    const auto lived = Clock::now() - child.started;
    if (started && lived >= kHealthyLifetime) backoff = config_.initial_backoff;
    std::unique_lock lock(mutex_);
    if (stopping_) break;
    next_start_ = Clock::now() + backoff;
    changed_.notify_all();  // whoever waits for the first start learns it failed
    log(LogLevel::warn,
        last_failure_ + "; restarting in " + std::to_string(backoff.count()) + " ms");
    changed_.wait_until(lock, next_start_, [this] { return stopping_; });
    backoff = std::min(backoff * 2, config_.max_backoff);
  }
  std::lock_guard lock(mutex_);
  running_ = false;
}

bool StdioTransport::run_child(Child& child) {
  child.started = Clock::now();
  auto [in_read, in_write] = make_pipe();
  auto [out_read, out_write] = make_pipe();
  auto [err_read, err_write] = make_pipe();

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_read.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
  // Every other descriptor of the host (sockets, files, other children's pipes) stays out of
  // the child, whether or not its owner set O_CLOEXEC.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  if (!config_.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, config_.cwd.c_str());
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Default signal dispositions and an empty mask: the host's threads may block signals.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attributes, &all);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> argv_text = {config_.command};
  argv_text.insert(argv_text.end(), config_.args.begin(), config_.args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text;
  for (const auto& [key, value] : env_) env_text.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (auto& entry : env_text) envp.push_back(entry.data());
  envp.push_back(nullptr);

  // posix_spawnp searches PATH of the host process, not of envp: the command is found as a shell
  // would find it.
  pid_t pid = -1;
  const int error = ::posix_spawnp(&pid, config_.command.c_str(), &actions, &attributes,
                                   argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) {
    std::lock_guard lock(mutex_);
    last_failure_ = "cannot start '" + config_.command + "': " + std::strerror(error);
    return false;
  }
  // The child's ends are the child's alone: while we hold a copy of its stdout's write end, its
  // death would never show as end of file.
  in_read.reset();
  out_write.reset();
  err_write.reset();
  child.pid = pid;
  child.in = std::move(in_write);
  child.out = std::move(out_read);
  child.err = std::move(err_read);
  // Writes must never block the host forever on a child that stops reading its stdin.
  ::fcntl(child.in.get(), F_SETFL, ::fcntl(child.in.get(), F_GETFL) | O_NONBLOCK);
  {
    std::lock_guard lock(mutex_);
    pid_ = pid;
    stdin_fd_ = child.in.get();
    running_ = true;
    ++generation_;
  }
  changed_.notify_all();
  log(LogLevel::info, "started pid " + std::to_string(pid));
  read_until_exit(child);
  return true;
}

void StdioTransport::read_until_exit(Child& child) {
  std::string out_buffer, err_buffer;
  bool stop_requested = false;
  bool out_open = true;
  bool err_open = true;
  char chunk[65536];
  while (out_open) {
    {
      std::lock_guard lock(mutex_);
      stop_requested = stopping_;
    }
    if (stop_requested) break;
    pollfd fds[2] = {{child.out.get(), POLLIN, 0}, {err_open ? child.err.get() : -1, POLLIN, 0}};
    const int ready = ::poll(fds, 2, 100);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    if (fds[1].revents != 0) {
      const ssize_t n = ::read(child.err.get(), chunk, sizeof(chunk));
      if (n <= 0) {
        err_open = false;
      } else {
        err_buffer.append(chunk, static_cast<std::size_t>(n));
        for (auto end = err_buffer.find('\n'); end != std::string::npos;
             end = err_buffer.find('\n')) {
          log(LogLevel::debug, "stderr: " + excerpt(err_buffer.substr(0, end), kMaxStderrLine));
          err_buffer.erase(0, end + 1);
        }
        if (err_buffer.size() > kMaxStderrLine) err_buffer.clear();
      }
    }
    if (fds[0].revents != 0) {
      const ssize_t n = ::read(child.out.get(), chunk, sizeof(chunk));
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        out_open = false;
        break;
      }
      out_buffer.append(chunk, static_cast<std::size_t>(n));
      for (auto end = out_buffer.find('\n'); end != std::string::npos;
           end = out_buffer.find('\n')) {
        std::string line = out_buffer.substr(0, end);
        out_buffer.erase(0, end + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) handle_line(line);
      }
      if (out_buffer.size() > kMaxLineBytes) {
        fail_pending(AGENT_ERR_UPSTREAM, "the MCP server '" + name_ +
                                             "' wrote a line longer than " +
                                             std::to_string(kMaxLineBytes) + " bytes");
        break;
      }
    }
  }

  // Stop the child: closing its stdin is how MCP asks a stdio server to exit; then SIGTERM, then
  // SIGKILL, each after a short grace.
  {
    std::lock_guard lock(mutex_);
    running_ = false;
    stdin_fd_ = -1;
  }
  {
    std::lock_guard write_lock(write_mutex_);  // no write in flight on the descriptor we close
    child.in.reset();
  }
  int status = 0;
  bool reaped = false;
  const auto wait_for = [&](milliseconds grace) {
    const auto until = Clock::now() + grace;
    while (!reaped) {
      const pid_t done = ::waitpid(child.pid, &status, WNOHANG);
      if (done == child.pid || (done < 0 && errno != EINTR)) {
        reaped = true;
        break;
      }
      if (Clock::now() >= until) break;
      std::this_thread::sleep_for(milliseconds(10));
    }
  };
  wait_for(milliseconds(stop_requested ? 500 : 200));
  if (!reaped) {
    ::kill(child.pid, SIGTERM);
    wait_for(milliseconds(1000));
  }
  if (!reaped) {
    ::kill(child.pid, SIGKILL);
    while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  const std::string how = "the MCP server '" + name_ + "' (pid " + std::to_string(child.pid) +
                          ") " + (stop_requested ? "was stopped" : exit_description(status));
  {
    std::lock_guard lock(mutex_);
    last_failure_ = how;
    pid_ = -1;
  }
  fail_pending(AGENT_ERR_UNAVAILABLE, how + " before answering");
  if (stop_requested) log(LogLevel::info, how);
}

void StdioTransport::fail_pending(int32_t code, const std::string& reason) {
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, pending] : pending_) {
      if (!pending->response && !pending->failure) pending->failure.emplace(code, reason);
    }
  }
  changed_.notify_all();
}

void StdioTransport::handle_line(const std::string& line) {
  Json message = agent_sdk::try_parse_json(line);
  const MessageKind kind = message.is_discarded() ? MessageKind::invalid : classify(message);
  if (kind == MessageKind::invalid) {
    // Stdout carries only JSON-RPC messages; anything else is a broken server. Whoever waits
    // learns it now rather than at its timeout. The stream stays line-delimited, so a later
    // line can still be good.
    log(LogLevel::warn, "malformed message on stdout: " + excerpt(line));
    fail_pending(AGENT_ERR_UPSTREAM,
                 "the MCP server '" + name_ + "' wrote a malformed message: " + excerpt(line));
    return;
  }
  if (kind == MessageKind::response) {
    if (!message["id"].is_number_integer()) return;  // not one of ours (we number from 1)
    std::lock_guard lock(mutex_);
    const auto it = pending_.find(message["id"].get<std::int64_t>());
    if (it != pending_.end()) it->second->response = std::move(message);
    changed_.notify_all();
    return;
  }
  std::optional<Json> answer = inbound_ ? inbound_(message) : std::nullopt;
  if (kind == MessageKind::request) {
    if (!answer) answer = make_error(message["id"], -32601, "method not found");
    try {
      write_line(answer->dump(), Deadline::in(milliseconds(1000), nullptr));
    } catch (const std::exception& e) {
      log(LogLevel::warn, std::string("cannot answer the server's request: ") + e.what());
    }
  }
}

void StdioTransport::write_line(const std::string& line, const Deadline& deadline) {
  std::lock_guard write_lock(write_mutex_);
  int fd;
  {
    std::lock_guard lock(mutex_);
    fd = running_ ? stdin_fd_ : -1;
  }
  if (fd < 0) throw Error(AGENT_ERR_UNAVAILABLE, "the MCP server '" + name_ + "' is not running");
  const std::string data = line + "\n";
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n > 0) {
      written += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd pfd{fd, POLLOUT, 0};
      const auto left = std::min<long long>(deadline.remaining().count(), 100);
      if (deadline.remaining().count() == 0) {
        throw Error(AGENT_ERR_TIMEOUT,
                    "the MCP server '" + name_ + "' does not read its input (write timed out)");
      }
      ::poll(&pfd, 1, static_cast<int>(left));
      continue;
    }
    throw Error(AGENT_ERR_UNAVAILABLE,
                "cannot write to the MCP server '" + name_ + "': " + std::strerror(errno));
  }
}

void StdioTransport::notify(const Json& notification, const Deadline& deadline) {
  try {
    write_line(agent_sdk::dump_json(notification), deadline);
  } catch (const std::exception& e) {
    log(LogLevel::debug, std::string("notification not sent: ") + e.what());
  }
}

Json StdioTransport::request(const Json& request, const Deadline& deadline) {
  const std::int64_t id = request.at("id").get<std::int64_t>();
  auto pending = std::make_shared<Pending>();
  {
    std::unique_lock lock(mutex_);
    // Only the first start is waited for; a child that failed or died is an error at once (with
    // its reason and the time of the next restart), so a broken server never blocks a turn.
    changed_.wait_until(lock, deadline.at, [&] {
      return running_ || stopping_ || !last_failure_.empty() || deadline.cancelled();
    });
    if (stopping_) throw Error(AGENT_ERR_UNAVAILABLE, "the MCP client is stopping");
    if (deadline.cancelled()) throw Error(AGENT_ERR_CANCELLED, "cancelled by the host");
    if (!running_) {
      const auto wait = std::chrono::duration_cast<milliseconds>(next_start_ - Clock::now());
      throw Error(AGENT_ERR_UNAVAILABLE,
                  (last_failure_.empty() ? "the MCP server '" + name_ + "' is not running"
                                         : last_failure_) +
                      "; next restart in " + std::to_string(std::max<long long>(0, wait.count())) +
                      " ms",
                  true);
    }
    pending_[id] = pending;
  }
  struct Unregister {
    StdioTransport* self;
    std::int64_t id;
    ~Unregister() {
      std::lock_guard lock(self->mutex_);
      self->pending_.erase(id);
    }
  } unregister{this, id};

  write_line(agent_sdk::dump_json(request), deadline);
  std::unique_lock lock(mutex_);
  while (!pending->response && !pending->failure) {
    if (deadline.cancelled() || Clock::now() >= deadline.at) break;
    // Cancellation is a flag on the call: look at it often enough to stop within ~50 ms.
    changed_.wait_for(lock, milliseconds(50));
  }
  if (pending->response) return std::move(*pending->response);
  if (pending->failure) throw Error(pending->failure->first, pending->failure->second);
  lock.unlock();
  const bool cancelled = deadline.cancelled();
  const std::string reason = cancelled ? "cancelled by the client" : "timed out";
  notify(cancelled_notification(id, reason), Deadline::in(milliseconds(500), nullptr));
  if (cancelled) throw Error(AGENT_ERR_CANCELLED, "cancelled by the host");
  throw Error(AGENT_ERR_TIMEOUT, "the MCP server '" + name_ + "' did not answer " +
                                     request.value("method", "") + " in time");
}

}  // namespace mcp
