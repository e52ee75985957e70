// The plugin calls (invoke()s) running right now, so outbound HTTP requests can be tied to the
// call they serve: capped at its deadline, tagged with its request id, and aborted the moment
// the call is cancelled — by shutting down their sockets, which wakes a blocked read even when
// the plugin itself ignores cancellation.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace agent_host::http_client {

class CallRegistry {
  struct Call;

 public:
  CallRegistry() = default;
  CallRegistry(const CallRegistry&) = delete;
  CallRegistry& operator=(const CallRegistry&) = delete;

  // Registers a call while it lives (the plugin runtime holds one around each invoke()).
  class Scope {
   public:
    Scope() = default;
    Scope(Scope&& other) noexcept { *this = std::move(other); }
    Scope& operator=(Scope&& other) noexcept;
    ~Scope() { reset(); }
    void reset() noexcept;

   private:
    friend class CallRegistry;
    Scope(CallRegistry* registry, std::uint64_t call_id) : registry_(registry), call_id_(call_id) {}
    CallRegistry* registry_ = nullptr;
    std::uint64_t call_id_ = 0;
  };

  // A socket of a request tied to a call; the call's cancel() shuts it down while it is linked.
  // Destroy the link before the socket is closed: the fd is never touched after that.
  class SocketLink {
   public:
    SocketLink() = default;
    SocketLink(SocketLink&& other) noexcept { *this = std::move(other); }
    SocketLink& operator=(SocketLink&& other) noexcept;
    ~SocketLink() { reset(); }
    void reset() noexcept;

   private:
    friend class CallRegistry;
    CallRegistry* registry_ = nullptr;
    std::shared_ptr<Call> call_;
    std::uint64_t token_ = 0;
  };

  // What a request needs to know about the call it serves. Empty (tied() false) when the call id
  // is 0 or not running.
  class Tie {
   public:
    Tie() = default;
    bool tied() const noexcept { return call_ != nullptr; }
    bool cancelled() const noexcept;
    std::int64_t deadline_unix_ms() const noexcept;  // 0: none
    const std::string& request_id() const noexcept;
    // Links `fd` to the call. Returns nothing when the call is already cancelled (the caller
    // then fails with AGENT_ERR_CANCELLED); an untied request gets an empty link.
    std::optional<SocketLink> link(int fd) const;

   private:
    friend class CallRegistry;
    CallRegistry* registry_ = nullptr;
    std::shared_ptr<Call> call_;
  };

  // A second enter() with a running id shares the first registration (its deadline and id).
  [[nodiscard]] Scope enter(std::uint64_t call_id, std::int64_t deadline_unix_ms,
                            std::string request_id);
  // Marks the call cancelled and shuts down the sockets of its requests in flight. Unknown or
  // finished ids are ignored.
  void cancel(std::uint64_t call_id) noexcept;
  Tie tie(std::uint64_t call_id);

  std::size_t running() const;

 private:
  struct Call {
    std::int64_t deadline_unix_ms = 0;
    std::string request_id;
    std::atomic<bool> cancelled{false};
    int scopes = 0;                                      // guarded by mutex_
    std::vector<std::pair<std::uint64_t, int>> sockets;  // (token, fd), guarded by mutex_
  };

  void leave(std::uint64_t call_id) noexcept;
  void unlink(Call& call, std::uint64_t token) noexcept;

  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::shared_ptr<Call>> calls_;
  std::uint64_t next_token_ = 1;
};

}  // namespace agent_host::http_client
