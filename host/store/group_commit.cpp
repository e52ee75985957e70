#include "store/group_commit.h"

#include <spdlog/spdlog.h>

#include "store/conversation_store.h"

namespace agent_host::store {

GroupCommitter::GroupCommitter(SessionPool& pool, std::size_t max_queued, std::size_t max_batch,
                               std::function<void(SessionPool::Lease&)> map_error)
    : pool_(pool),
      max_queued_(max_queued),
      max_batch_(max_batch),
      map_error_(std::move(map_error)),
      writer_([this] { loop(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  writer_.join();  // the writer drains what is queued first: nothing accepted is dropped
}

void GroupCommitter::run(Job job) {
  std::future<void> done;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= max_queued_) {
      throw StoreUnavailableError("the store's write queue is full (" +
                                  std::to_string(max_queued_) + " writes waiting)");
    }
    queue_.push_back(Pending{std::move(job), {}});
    done = queue_.back().done.get_future();
  }
  wake_.notify_one();
  done.get();
}

void GroupCommitter::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is written
    std::deque<Pending> batch;
    while (!queue_.empty() && batch.size() < max_batch_) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    commit_batch(batch);
    lock.lock();
  }
}

void GroupCommitter::commit_batch(std::deque<Pending>& batch) {
  std::vector<std::exception_ptr> failures(batch.size());
  try {
    auto session = pool_.acquire();
    try {
      session->run("BEGIN IMMEDIATE");
      for (std::size_t i = 0; i < batch.size(); ++i) {
        session->run("SAVEPOINT turn");
        try {
          batch[i].job(*session);
          session->run("RELEASE turn");
        } catch (...) {
          failures[i] = std::current_exception();
          try {
            session->run("ROLLBACK TO turn");
            session->run("RELEASE turn");
          } catch (...) {
            // SQLite rolled the whole transaction back itself (a full disk, an I/O error): the
            // batch fails with the job's error, which says why.
            std::rethrow_exception(failures[i]);
          }
        }
      }
      session->run("COMMIT");
    } catch (...) {
      try {
        session->run("ROLLBACK");
      } catch (...) {
        session.discard();
      }
      map_error_(session);  // rethrows as the store's error
    }
  } catch (...) {
    // Nothing of the batch was committed: every write in it fails alike.
    const auto error = std::current_exception();
    for (auto& pending : batch) pending.done.set_exception(error);
    return;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (failures[i]) {
      batch[i].done.set_exception(failures[i]);
    } else {
      batch[i].done.set_value();
    }
  }
}

}  // namespace agent_host::store
