#include "http_client/call_registry.h"

#include <sys/socket.h>

#include <algorithm>

namespace agent_host::http_client {

CallRegistry::Scope& CallRegistry::Scope::operator=(Scope&& other) noexcept {
  if (this != &other) {
    reset();
    registry_ = std::exchange(other.registry_, nullptr);
    call_id_ = std::exchange(other.call_id_, 0);
  }
  return *this;
}

void CallRegistry::Scope::reset() noexcept {
  if (registry_ != nullptr) registry_->leave(call_id_);
  registry_ = nullptr;
}

CallRegistry::SocketLink& CallRegistry::SocketLink::operator=(SocketLink&& other) noexcept {
  if (this != &other) {
    reset();
    registry_ = std::exchange(other.registry_, nullptr);
    call_ = std::move(other.call_);
    token_ = std::exchange(other.token_, 0);
  }
  return *this;
}

void CallRegistry::SocketLink::reset() noexcept {
  if (registry_ != nullptr && call_ != nullptr) registry_->unlink(*call_, token_);
  registry_ = nullptr;
  call_.reset();
}

bool CallRegistry::Tie::cancelled() const noexcept {
  return call_ != nullptr && call_->cancelled.load(std::memory_order_acquire);
}

std::int64_t CallRegistry::Tie::deadline_unix_ms() const noexcept {
  return call_ != nullptr ? call_->deadline_unix_ms : 0;
}

const std::string& CallRegistry::Tie::request_id() const noexcept {
  static const std::string none;
  return call_ != nullptr ? call_->request_id : none;
}

std::optional<CallRegistry::SocketLink> CallRegistry::Tie::link(int fd) const {
  SocketLink link;
  if (call_ == nullptr) return link;
  std::lock_guard lock(registry_->mutex_);
  // Checked under the mutex cancel() takes, so a cancel either sees this socket or is seen here.
  if (call_->cancelled.load(std::memory_order_acquire)) return std::nullopt;
  link.registry_ = registry_;
  link.call_ = call_;
  link.token_ = registry_->next_token_++;
  call_->sockets.emplace_back(link.token_, fd);
  return link;
}

CallRegistry::Scope CallRegistry::enter(std::uint64_t call_id, std::int64_t deadline_unix_ms,
                                        std::string request_id) {
  std::lock_guard lock(mutex_);
  auto& call = calls_[call_id];
  if (call == nullptr) {
    call = std::make_shared<Call>();
    call->deadline_unix_ms = deadline_unix_ms;
    call->request_id = std::move(request_id);
  }
  ++call->scopes;
  return Scope(this, call_id);
}

void CallRegistry::leave(std::uint64_t call_id) noexcept {
  std::lock_guard lock(mutex_);
  const auto it = calls_.find(call_id);
  if (it != calls_.end() && --it->second->scopes <= 0) calls_.erase(it);
}

void CallRegistry::cancel(std::uint64_t call_id) noexcept {
  std::lock_guard lock(mutex_);
  const auto it = calls_.find(call_id);
  if (it == calls_.end()) return;
  Call& call = *it->second;
  call.cancelled.store(true, std::memory_order_release);
  // Safe: a linked fd stays open until its link is reset, which needs this mutex.
  for (const auto& [token, fd] : call.sockets) ::shutdown(fd, SHUT_RDWR);
}

CallRegistry::Tie CallRegistry::tie(std::uint64_t call_id) {
  Tie tie;
  if (call_id == 0) return tie;
  std::lock_guard lock(mutex_);
  const auto it = calls_.find(call_id);
  if (it == calls_.end()) return tie;
  tie.registry_ = this;
  tie.call_ = it->second;
  return tie;
}

void CallRegistry::unlink(Call& call, std::uint64_t token) noexcept {
  std::lock_guard lock(mutex_);
  std::erase_if(call.sockets, [token](const auto& socket) { return socket.first == token; });
}

std::size_t CallRegistry::running() const {
  std::lock_guard lock(mutex_);
  return calls_.size();
}

}  // namespace agent_host::http_client
