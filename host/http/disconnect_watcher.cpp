#include "http/disconnect_watcher.h"

#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace agent_host::http {
namespace {

constexpr std::uint64_t kWakeKey = 0;

}  // namespace

DisconnectWatcher::DisconnectWatcher() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    const std::string reason = std::strerror(errno);
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    throw std::runtime_error("disconnect watcher: " + reason);
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kWakeKey;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event);
  thread_ = std::thread([this] { run(); });
}

DisconnectWatcher::~DisconnectWatcher() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof(one));
  thread_.join();
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void DisconnectWatcher::run() {
  epoll_event events[64];
  for (;;) {
    const int n = ::epoll_wait(epoll_fd_, events, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      spdlog::error("disconnect watcher stopped: {}", std::strerror(errno));
      return;
    }
    for (int i = 0; i < n; ++i) {
      const std::uint64_t key = events[i].data.u64;
      if (key == kWakeKey) return;
      std::lock_guard lock(mutex_);
      const auto it = callbacks_.find(key);
      if (it == callbacks_.end()) continue;  // unwatched meanwhile
      const auto callback = std::move(it->second);
      callbacks_.erase(it);  // once: the fd stays in the set until ~Watch, but is ignored
      try {
        callback();
      } catch (...) {
      }
    }
  }
}

DisconnectWatcher::Watch::Watch(DisconnectWatcher& watcher, int fd, std::function<void()> on_hangup)
    : watcher_(watcher), fd_(fd) {
  {
    std::lock_guard lock(watcher_.mutex_);
    key_ = watcher_.next_key_++;
    watcher_.callbacks_.emplace(key_, std::move(on_hangup));
  }
  // Edge-triggered hang-up events only: readable data (a pipelined request) is not a hang-up.
  epoll_event event{};
  event.events = EPOLLRDHUP | EPOLLHUP | EPOLLERR | EPOLLET;
  event.data.u64 = key_;
  if (::epoll_ctl(watcher_.epoll_fd_, EPOLL_CTL_ADD, fd_, &event) != 0) {
    spdlog::warn("disconnect watcher: cannot watch fd {}: {}", fd_, std::strerror(errno));
  }
}

DisconnectWatcher::Watch::~Watch() {
  ::epoll_ctl(watcher_.epoll_fd_, EPOLL_CTL_DEL, fd_, nullptr);
  std::lock_guard lock(watcher_.mutex_);  // waits for a callback of ours that is running
  watcher_.callbacks_.erase(key_);
}

}  // namespace agent_host::http
