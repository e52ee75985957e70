// Watches the plugins and agents folders (inotify, one thread) and calls `on_change` once the
// folders have settled: after an event (IN_CLOSE_WRITE, IN_MOVED_TO, IN_DELETE, IN_MOVED_FROM),
// the watched files' names, sizes and mtimes must stay the same for one debounce interval, so a
// file still being written is never loaded. Writing to a hidden temp name (".x.so.tmp") and
// renaming into place is the recommended way, and is atomic. `on_tick` runs about every 100 ms
// (the reloader unloads drained generations there).
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

namespace agent_host::reload {

class FolderWatcher {
 public:
  // Starts the thread. A folder that cannot be watched is logged and skipped.
  FolderWatcher(std::vector<std::filesystem::path> folders, std::chrono::milliseconds debounce,
                std::function<void()> on_change, std::function<void()> on_tick);
  // Stops and joins the thread.
  ~FolderWatcher();
  FolderWatcher(const FolderWatcher&) = delete;
  FolderWatcher& operator=(const FolderWatcher&) = delete;

 private:
  void run();

  const std::vector<std::filesystem::path> folders_;
  const std::chrono::milliseconds debounce_;
  const std::function<void()> on_change_;
  const std::function<void()> on_tick_;
  int inotify_fd_ = -1;
  int stop_fd_ = -1;  // eventfd written by the destructor
  std::thread thread_;
};

}  // namespace agent_host::reload
