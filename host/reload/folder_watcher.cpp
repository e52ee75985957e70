#include "reload/folder_watcher.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <string>

namespace agent_host::reload {
namespace {

constexpr auto kTick = std::chrono::milliseconds(100);

// Names, sizes and mtimes of the visible files of the folders: equal twice in a row = settled.
using Fingerprint = std::map<std::string, std::pair<std::uintmax_t, std::int64_t>>;

Fingerprint fingerprint(const std::vector<std::filesystem::path>& folders) {
  Fingerprint out;
  for (const auto& folder : folders) {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end;
         it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.empty() || name[0] == '.') continue;
      std::error_code stat_error;
      const auto size = it->file_size(stat_error);
      const auto mtime = it->last_write_time(stat_error).time_since_epoch().count();
      out[it->path().string()] = {stat_error ? 0 : size, stat_error ? 0 : mtime};
    }
  }
  return out;
}

}  // namespace

FolderWatcher::FolderWatcher(std::vector<std::filesystem::path> folders,
                             std::chrono::milliseconds debounce, std::function<void()> on_change,
                             std::function<void()> on_tick)
    : folders_(std::move(folders)),
      debounce_(debounce),
      on_change_(std::move(on_change)),
      on_tick_(std::move(on_tick)) {
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) throw std::runtime_error("eventfd failed: " + std::string(strerror(errno)));
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) {
    spdlog::error("reload: inotify unavailable ({}); folders are not watched", strerror(errno));
  } else {
    for (const auto& folder : folders_) {
      if (inotify_add_watch(inotify_fd_, folder.c_str(),
                            IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM) < 0) {
        spdlog::error("reload: cannot watch {}: {}", folder.string(), strerror(errno));
      } else {
        spdlog::info("reload: watching {}", folder.string());
      }
    }
  }
  thread_ = std::thread([this] { run(); });
}

FolderWatcher::~FolderWatcher() {
  const std::uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof(one)) < 0) {
    spdlog::error("reload: cannot stop the watcher: {}", strerror(errno));
  }
  if (thread_.joinable()) thread_.join();
  if (inotify_fd_ >= 0) close(inotify_fd_);
  close(stop_fd_);
}

void FolderWatcher::run() {
  using Clock = std::chrono::steady_clock;
  bool pending = false;
  Clock::time_point settle_at;
  Fingerprint last;
  for (;;) {
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
    const auto wait = pending ? std::min(kTick, debounce_) : kTick;
    const int ready = poll(fds, inotify_fd_ >= 0 ? 2 : 1, static_cast<int>(wait.count()));
    if (ready < 0 && errno != EINTR) {
      spdlog::error("reload: poll failed: {}", strerror(errno));
      return;
    }
    if (ready > 0 && (fds[0].revents & POLLIN) != 0) return;
    if (ready > 0 && inotify_fd_ >= 0 && (fds[1].revents & POLLIN) != 0) {
      alignas(inotify_event) char buffer[16 * 1024];
      while (read(inotify_fd_, buffer, sizeof(buffer)) > 0) {
      }
      // Any event restarts the quiet period; the fingerprint decides when it is over.
      if (!pending) last = fingerprint(folders_);
      pending = true;
      settle_at = Clock::now() + debounce_;
    }
    if (pending && Clock::now() >= settle_at) {
      Fingerprint now = fingerprint(folders_);
      if (now == last) {
        pending = false;
        try {
          on_change_();
        } catch (const std::exception& e) {
          spdlog::error("reload: reload failed: {}", e.what());
        }
      } else {
        last = std::move(now);  // still changing: wait another interval
        settle_at = Clock::now() + debounce_;
      }
    }
    try {
      on_tick_();
    } catch (const std::exception& e) {
      spdlog::error("reload: {}", e.what());
    }
  }
}

}  // namespace agent_host::reload
