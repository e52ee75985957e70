#include "store/redis/redis_client.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA1Engine.h>
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "store/wall_clock.h"

namespace agent_host::store::redis {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

RedisReply convert(const redisReply& reply) {
  RedisReply out;
  switch (reply.type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::string;
      out.string.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::status;
      out.string.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      out.elements.reserve(reply.elements);
      for (std::size_t i = 0; i < reply.elements; ++i) {
        out.elements.push_back(convert(*reply.element[i]));
      }
      break;
    default:
      break;  // nil
  }
  return out;
}

// Error replies that mean "this server cannot serve now", not "the command is wrong".
bool is_unavailable_error(const std::string& message) {
  for (const char* prefix : {"LOADING", "NOAUTH", "WRONGPASS", "MASTERDOWN", "BUSY"}) {
    if (message.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace

RedisScript::RedisScript(std::string text) : source(std::move(text)) {
  Poco::SHA1Engine engine;
  engine.update(source);
  sha1 = Poco::DigestEngine::digestToHex(engine.digest());
}

// One hiredis context: connected, authenticated and on the right database, or not constructed.
class RedisClient::Connection {
 public:
  explicit Connection(const RedisOptions& options)
      : context_(redisConnectWithTimeout(options.host.c_str(), options.port,
                                         to_timeval(options.connect_timeout)),
                 &redisFree) {
    const std::string where = "Redis at " + options.describe();
    if (!context_) throw RedisUnavailable("cannot connect to " + where + ": out of memory");
    if (context_->err != 0) {
      throw RedisUnavailable("cannot connect to " + where + ": " + context_->errstr);
    }
    const timeval timeout = to_timeval(options.command_timeout);
    redisSetTimeout(context_.get(), timeout);
    redisEnableKeepAlive(context_.get());
    if (options.password) {
      execute({"AUTH", *options.password});
      if (broken_) throw RedisUnavailable(where + ": AUTH failed: " + error_);
      if (!error_.empty()) throw RedisUnavailable(where + " refused the password: " + error_);
    }
    if (options.database != 0) {
      execute({"SELECT", std::to_string(options.database)});
      if (broken_ || !error_.empty()) {
        throw RedisUnavailable(where + ": SELECT " + std::to_string(options.database) +
                               " failed: " + error_);
      }
    }
  }

  // Runs one command. A nil result with broken() set means the connection failed; error_ holds
  // an error reply's text otherwise.
  RedisReply execute(const std::vector<std::string>& args) {
    error_.clear();
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    auto* raw = static_cast<redisReply*>(redisCommandArgv(
        context_.get(), static_cast<int>(argv.size()), argv.data(), lengths.data()));
    if (raw == nullptr) {
      broken_ = true;
      // hiredis reports a socket timeout as the text of EAGAIN.
      const bool timed_out = context_->err == REDIS_ERR_IO &&
                             std::string_view(context_->errstr) == std::strerror(EAGAIN);
      error_ = timed_out ? std::string("no answer within the command timeout")
                         : std::string(context_->errstr);
      return {};
    }
    const std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(raw, &freeReplyObject);
    if (raw->type == REDIS_REPLY_ERROR) {
      error_.assign(raw->str, raw->len);
      return {};
    }
    return convert(*raw);
  }

  bool broken() const noexcept { return broken_; }
  const std::string& error() const noexcept { return error_; }

 private:
  std::unique_ptr<redisContext, decltype(&redisFree)> context_;
  bool broken_ = false;
  std::string error_;
};

// A connection taken from the pool; goes back when done, or is closed when it broke.
struct RedisClient::Lease {
  Lease(RedisClient& c, std::unique_ptr<Connection> conn, std::uint64_t gen)
      : client(c), connection(std::move(conn)), generation(gen) {}
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease() {
    std::lock_guard lock(client.pool_mutex_);
    if (connection && !connection->broken() && generation == client.generation_) {
      client.idle_.push_back(std::move(connection));
    } else {
      --client.open_;
    }
    client.pool_released_.notify_one();
  }

  RedisClient& client;
  std::unique_ptr<Connection> connection;
  std::uint64_t generation;
};

RedisClient::RedisClient(RedisOptions options) : options_(std::move(options)) {
  // hiredis writes with plain write(): SIGPIPE is ignored once for the whole process by the
  // program's main (app/cli.cpp), so a Redis that went away cannot kill the host.
  status_.since_ms = wall_clock_ms();
  // The first check runs here, so the start-up log says at once whether Redis is there.
  try {
    Connection probe(options_);
    probe.execute({"PING"});
    if (probe.broken() || !probe.error().empty()) {
      throw RedisUnavailable("Redis at " + options_.describe() + ": PING failed: " + probe.error());
    }
    up_ = true;
    spdlog::info("redis: connected to {} (sessions and the context cache live there)",
                 options_.describe());
  } catch (const RedisUnavailable& e) {
    mark_down(e.what());
  }
  monitor_ = std::thread([this] { monitor(); });
}

RedisClient::~RedisClient() {
  {
    std::lock_guard lock(monitor_mutex_);
    stopping_ = true;
  }
  monitor_wake_.notify_all();
  monitor_.join();
}

observability::DependencyStatus RedisClient::status() const {
  std::lock_guard lock(state_mutex_);
  return status_;
}

void RedisClient::mark_down(const std::string& error) {
  std::lock_guard lock(state_mutex_);
  if (!status_.ok) return;  // already down: logged when the outage started
  up_ = false;
  status_.ok = false;
  status_.last_error = error;
  status_.since_ms = wall_clock_ms();
  {
    std::lock_guard pool(pool_mutex_);
    ++generation_;  // connections of before the outage are closed, not reused
    open_ -= idle_.size();
    idle_.clear();
  }
  spdlog::warn(
      "redis: {}; sessions and the context cache are bypassed (turns use the conversation "
      "store) until it answers again",
      error);
}

void RedisClient::mark_up() {
  std::lock_guard lock(state_mutex_);
  if (up_) return;
  const auto down_for = wall_clock_ms() - status_.since_ms;
  up_ = true;
  status_.ok = true;
  status_.since_ms = wall_clock_ms();
  spdlog::info("redis: {} answers again after {} ms", options_.describe(), down_for);
}

RedisClient::Lease RedisClient::acquire() {
  if (!up_) {
    throw RedisUnavailable("Redis at " + options_.describe() +
                           " is unavailable: " + status().last_error);
  }
  std::unique_lock lock(pool_mutex_);
  const auto deadline = std::chrono::steady_clock::now() + options_.command_timeout;
  while (idle_.empty() && open_ >= options_.max_connections) {
    if (pool_released_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.max_connections) {
      throw RedisUnavailable("all " + std::to_string(options_.max_connections) +
                             " Redis connections stayed busy for " +
                             std::to_string(options_.command_timeout.count()) + " ms");
    }
  }
  const std::uint64_t generation = generation_;
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(connection), generation);
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(*this, std::make_unique<Connection>(options_), generation);
  } catch (const RedisUnavailable& e) {
    {
      std::lock_guard relock(pool_mutex_);
      --open_;
    }
    pool_released_.notify_one();
    mark_down(e.what());
    throw;
  }
}

RedisReply RedisClient::run(Lease& lease, const std::vector<std::string>& args) {
  RedisReply reply = lease.connection->execute(args);
  if (lease.connection->broken()) {
    const std::string error =
        "Redis at " + options_.describe() + " failed: " + lease.connection->error();
    mark_down(error);
    throw RedisUnavailable(error);
  }
  if (!lease.connection->error().empty()) {
    const std::string& message = lease.connection->error();
    if (is_unavailable_error(message)) {
      const std::string error = "Redis at " + options_.describe() + ": " + message;
      mark_down(error);
      throw RedisUnavailable(error);
    }
    throw RedisCommandError("Redis " + args.front() + " failed: " + message);
  }
  return reply;
}

RedisReply RedisClient::command(const std::vector<std::string>& args) {
  Lease lease = acquire();
  return run(lease, args);
}

RedisReply RedisClient::eval(const RedisScript& script, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args) {
  std::vector<std::string> argv{"EVALSHA", script.sha1, std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  Lease lease = acquire();
  try {
    return run(lease, argv);
  } catch (const RedisCommandError& e) {
    if (std::string_view(e.what()).find("NOSCRIPT") == std::string_view::npos) throw;
  }
  // First use on this server (or after a restart, which forgets scripts).
  argv[0] = "EVAL";
  argv[1] = script.source;
  return run(lease, argv);
}

void RedisClient::monitor() {
  std::unique_ptr<Connection> probe;
  auto retry = std::chrono::milliseconds(100);
  std::unique_lock lock(monitor_mutex_);
  while (!stopping_) {
    const auto wait = up_ ? options_.check_interval : std::min(retry, options_.check_interval);
    if (monitor_wake_.wait_for(lock, wait, [this] { return stopping_; })) break;
    lock.unlock();
    std::string error;
    try {
      if (!probe) probe = std::make_unique<Connection>(options_);
      probe->execute({"PING"});
      if (probe->broken() || !probe->error().empty()) {
        error = "Redis at " + options_.describe() + ": PING failed: " + probe->error();
        probe.reset();
      }
    } catch (const RedisUnavailable& e) {
      error = e.what();
    }
    if (error.empty()) {
      mark_up();
      retry = std::chrono::milliseconds(100);
    } else {
      mark_down(error);
      retry = std::min(retry * 2, options_.check_interval);
    }
    lock.lock();
  }
}

}  // namespace agent_host::store::redis
