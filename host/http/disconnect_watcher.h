// Notices when a client hangs up while its request is still being answered. A streamed chat
// spends most of its life blocked in the provider's upstream read, where no write to the client
// would reveal that the client has gone; without this, an abandoned stream would keep its
// upstream call (and the tokens it costs) running to the end. One thread and one epoll set serve
// every watched connection.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace agent_host::http {

class DisconnectWatcher {
 public:
  DisconnectWatcher();
  ~DisconnectWatcher();
  DisconnectWatcher(const DisconnectWatcher&) = delete;
  DisconnectWatcher& operator=(const DisconnectWatcher&) = delete;

  // Watches `fd` (a connected client socket) while it lives; `on_hangup` runs once, on the
  // watcher's thread, when the peer closes or resets. It must be quick and must not throw.
  // Destroy the Watch before the socket is closed.
  class Watch {
   public:
    Watch(DisconnectWatcher& watcher, int fd, std::function<void()> on_hangup);
    ~Watch();
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

   private:
    DisconnectWatcher& watcher_;
    int fd_;
    std::uint64_t key_;
  };

 private:
  void run();

  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // an eventfd that ends run()
  std::mutex mutex_;  // guards callbacks_; held while a callback runs so ~Watch waits for it
  std::unordered_map<std::uint64_t, std::function<void()>> callbacks_;
  std::uint64_t next_key_ = 1;
  std::thread thread_;
};

}  // namespace agent_host::http
