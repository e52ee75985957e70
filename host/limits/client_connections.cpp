#include "limits/client_connections.h"

namespace agent_host::limits {

bool ClientConnections::try_open(int fd, const std::string& address) {
  std::lock_guard lock(mutex_);
  std::size_t& count = per_address_[address];
  if (count >= max_per_client_) {
    if (count == 0) per_address_.erase(address);
    return false;
  }
  ++count;
  by_fd_[fd] = address;
  return true;
}

void ClientConnections::close(int fd) {
  std::lock_guard lock(mutex_);
  const auto it = by_fd_.find(fd);
  if (it == by_fd_.end()) return;
  const auto count = per_address_.find(it->second);
  if (count != per_address_.end() && --count->second == 0) per_address_.erase(count);
  by_fd_.erase(it);
}

std::size_t ClientConnections::open_for(const std::string& address) const {
  std::lock_guard lock(mutex_);
  const auto it = per_address_.find(address);
  return it == per_address_.end() ? 0 : it->second;
}

}  // namespace agent_host::limits
