#include "http_client/connection_pool.h"

namespace agent_host::http_client {

void ConnectionPool::collect_expired(Clock::time_point now, std::deque<Idle>& dead) {
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& queue = it->second;
    while (!queue.empty() && now - queue.front().since >= expiry_) {
      dead.push_back(std::move(queue.front()));
      queue.pop_front();
    }
    it = queue.empty() ? idle_.erase(it) : std::next(it);
  }
}

std::unique_ptr<Connection> ConnectionPool::acquire(const std::string& origin) {
  std::deque<Idle> dead;  // closed after the lock is released (a TLS close writes)
  std::lock_guard lock(mutex_);
  collect_expired(Clock::now(), dead);
  const auto it = idle_.find(origin);
  if (it == idle_.end()) return nullptr;
  auto& queue = it->second;
  std::unique_ptr<Connection> found;
  while (!queue.empty() && !found) {
    Idle candidate = std::move(queue.back());
    queue.pop_back();
    // A peer that closed (or sent anything) while the connection sat idle makes it unusable.
    if (candidate.connection->quiet()) {
      found = std::move(candidate.connection);
    } else {
      dead.push_back(std::move(candidate));
    }
  }
  if (queue.empty()) idle_.erase(it);
  return found;
}

void ConnectionPool::release(const std::string& origin, std::unique_ptr<Connection> connection) {
  std::deque<Idle> dead;
  if (max_idle_per_origin_ == 0 || connection == nullptr) return;
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  collect_expired(now, dead);
  auto& queue = idle_[origin];
  queue.push_back({std::move(connection), now});
  while (queue.size() > max_idle_per_origin_) {
    dead.push_back(std::move(queue.front()));
    queue.pop_front();
  }
}

std::size_t ConnectionPool::idle() const {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (const auto& [origin, queue] : idle_) count += queue.size();
  return count;
}

}  // namespace agent_host::http_client
