// The stdio transport: the MCP server is a child process speaking newline-delimited JSON-RPC on
// its stdin / stdout (stderr is logged).
//
// Why the plugin spawns the child itself: the host has no process service in its ABI, and a
// stdio server belongs to the plugin instance that uses it. The instance owns the child: it
// starts it with posix_spawn (every descriptor but the three pipes closed in the child, so no
// host socket or file leaks into it), reads it on one supervisor thread, restarts it with
// exponential backoff when it dies, and stops and reaps it on quiesce / destroy.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "mcp/json_rpc.hpp"
#include "mcp/mcp_config.hpp"

namespace mcp {

class StdioTransport : public Transport {
 public:
  // `env` is the child's whole environment (see the README: a few variables are inherited).
  StdioTransport(StdioConfig config, std::map<std::string, std::string> env, agent_sdk::Host host,
                 std::string name, InboundHandler inbound);
  ~StdioTransport() override;

  agent_sdk::Json request(const agent_sdk::Json& request, const Deadline& deadline) override;
  void notify(const agent_sdk::Json& notification, const Deadline& deadline) override;
  std::uint64_t generation() const override;
  void stop() override;

  // The running child's pid, or -1 (for logs and tests).
  pid_t pid() const;

 private:
  struct Pending;
  struct Child;

  void supervise();
  bool run_child(Child& child);  // false when the child could not be started
  void read_until_exit(Child& child);
  void handle_line(const std::string& line);
  void fail_pending(int32_t code, const std::string& reason);
  void write_line(const std::string& line, const Deadline& deadline);
  void log(agent_sdk::LogLevel level, const std::string& message) const;

  const StdioConfig config_;
  const std::map<std::string, std::string> env_;
  const agent_sdk::Host host_;
  const std::string name_;
  const InboundHandler inbound_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;  // running_ / stopping_ / a response arrived
  bool stopping_ = false;
  bool running_ = false;
  int stdin_fd_ = -1;  // owned by the supervisor's Child; valid while running_
  pid_t pid_ = -1;
  std::uint64_t generation_ = 0;
  std::string last_failure_;      // why the child is not running, for errors
  Clock::time_point next_start_;  // when a dead child is started again
  std::map<std::int64_t, std::shared_ptr<Pending>> pending_;
  std::mutex write_mutex_;  // one message at a time on the child's stdin
  std::thread supervisor_;
};

}  // namespace mcp
