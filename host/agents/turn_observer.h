// How a streaming client follows a turn while it runs, and how it stops one. The pipeline calls
// the observer from the request's thread; cancel() may come from any thread (the disconnect
// watcher), and reaches into the provider call in flight so its upstream socket closes at once.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string_view>

namespace agent_host::agents {

class TurnObserver {
 public:
  virtual ~TurnObserver() = default;
  // A piece of the answer as the provider produced it. False: the client is gone, stop.
  virtual bool on_text(std::string_view text) = 0;
  // A complete tool call {"id","name","arguments"} the model asked for. False: stop.
  virtual bool on_tool_call(const nlohmann::json& call) = 0;
  // Output rules changed text that was already streamed: `text` is the whole answer now.
  virtual bool on_replace(std::string_view text, std::string_view reason) = 0;
  // The host ran a tool the model asked for: {"id","name","content","is_error"} (content is the
  // text the model reads). Observers of the client-side tool protocol (/v1) ignore it.
  virtual bool on_tool_result(const nlohmann::json& result) {
    (void)result;
    return true;
  }
};

class TurnCancellation {
 public:
  // Idempotent; runs the hook of the step in flight, if any.
  void cancel() {
    std::lock_guard lock(mutex_);
    if (cancelled_.exchange(true)) return;
    if (hook_) hook_();
  }
  bool cancelled() const noexcept { return cancelled_.load(); }

  // While a step that can block runs (a provider call), `hook` is how to interrupt it.
  class Hook {
   public:
    Hook(TurnCancellation* owner, std::function<void()> hook) : owner_(owner) {
      if (owner_ == nullptr) return;
      std::lock_guard lock(owner_->mutex_);
      owner_->hook_ = std::move(hook);
      if (owner_->cancelled_) owner_->hook_();  // cancelled before the step began
    }
    ~Hook() {
      if (owner_ == nullptr) return;
      std::lock_guard lock(owner_->mutex_);
      owner_->hook_ = nullptr;
    }
    Hook(const Hook&) = delete;
    Hook& operator=(const Hook&) = delete;

   private:
    TurnCancellation* owner_;
  };

 private:
  std::mutex mutex_;
  std::atomic<bool> cancelled_{false};
  std::function<void()> hook_;
};

}  // namespace agent_host::agents
