// Group commit for SQLite: one writer thread runs the writes of many concurrent requests in one
// transaction (each in its own savepoint, so one failing write does not sink the others) and
// acknowledges each after the shared COMMIT. One fsync then covers a whole batch instead of one
// per turn; a write is still acknowledged only once it is durable.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "store/session_pool.h"

namespace agent_host::store {

class GroupCommitter {
 public:
  using Job = std::function<void(SqlConnection&)>;
  // `map_error` turns a failure of the batch's BEGIN/COMMIT into the store's error types (called
  // inside a catch block with the writer's lease). At most `max_queued` writes wait; beyond that
  // run() fails at once with StoreUnavailableError (the store is overloaded).
  GroupCommitter(SessionPool& pool, std::size_t max_queued, std::size_t max_batch,
                 std::function<void(SessionPool::Lease&)> map_error);
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Runs `job` in the next batch and returns once that batch committed; rethrows what the job
  // threw (its savepoint rolled back) or the batch's commit error.
  void run(Job job);

 private:
  struct Pending {
    Job job;
    std::promise<void> done;
  };
  void loop();
  void commit_batch(std::deque<Pending>& batch);

  SessionPool& pool_;
  const std::size_t max_queued_;
  const std::size_t max_batch_;
  const std::function<void(SessionPool::Lease&)> map_error_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace agent_host::store
