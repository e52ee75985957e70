// The conversation store alone, without HTTP or the turn pipeline: how many first turns per
// second (a new conversation with the user's and the assistant's messages, written as one
// durable write before the call returns, as the turn pipeline stores a first turn) it takes from
// N threads.
//   store_load sqlite <file> <threads> <seconds>
//   store_load postgresql <libpq connection string> <threads> <seconds>
// Prints one JSON line {"store","threads","turns","turns_per_s","p50_ms","p99_ms","errors"}.
// bench/store_turns.sh runs it beside the whole-host measurement, so the two can be compared.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "ids/random_uuid.h"
#include "plugins/secret_store.h"
#include "store/store_factory.h"

int main(int argc, char** argv) {
  using namespace agent_host;
  using Clock = std::chrono::steady_clock;
  if (argc != 5) {
    std::cerr << "usage: store_load sqlite <file> | postgresql <connection> <threads> <seconds>\n";
    return 2;
  }
  store::StoreConfig config;
  const std::string kind = argv[1];
  if (kind == "sqlite") {
    config.type = store::StoreConfig::Type::sqlite;
    config.sqlite_path = argv[2];
  } else {
    config.type = store::StoreConfig::Type::postgresql;
    config.postgresql_connection = argv[2];
  }
  const int threads = std::stoi(argv[3]);
  const auto duration = std::chrono::seconds(std::stoi(argv[4]));
  config.pool_size = static_cast<std::size_t>(std::max(threads, 1));
  const plugins::SecretStore secrets;
  const auto conversations = store::make_conversation_store(config, secrets);

  // The sizes of a typical agent_alpha turn: a short question, about 1.5 KB of answer.
  const std::string question = "What is the difference between a stock and a bond, briefly?";
  const std::string answer(1500, 'a');
  std::atomic<bool> stop{false};
  std::atomic<long> errors{0};
  std::mutex merge;
  std::vector<double> latencies_ms;
  std::vector<std::thread> workers;
  const auto started = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::vector<double> mine;
      long n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        const auto begin = Clock::now();
        try {
          const std::string tag = ids::random_uuid();
          store::Message user;
          user.id = "u-" + tag;
          user.role = "user";
          user.content = question;
          store::Message assistant;
          assistant.id = "a-" + tag;
          assistant.role = "assistant";
          assistant.content = answer;
          assistant.provider = assistant.model = "offline";
          // As the turn pipeline stores a first turn: one write (create_with_messages).
          conversations->create_with_messages(
              "user-" + std::to_string(t) + "-" + std::to_string(n++), "agent_alpha", "",
              {user, assistant});
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
        } catch (const std::exception& e) {
          if (errors.fetch_add(1) == 0) std::cerr << "store_load: " << e.what() << "\n";
        }
      }
      const std::lock_guard lock(merge);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  std::this_thread::sleep_for(duration);
  stop = true;
  for (auto& worker : workers) worker.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const auto at = [&](double q) {
    return latencies_ms.empty()
               ? 0.0
               : latencies_ms[std::min(latencies_ms.size() - 1,
                                       static_cast<std::size_t>(q * latencies_ms.size()))];
  };
  std::cout << nlohmann::json{{"store", kind},
                              {"threads", threads},
                              {"turns", latencies_ms.size()},
                              {"turns_per_s", static_cast<long>(latencies_ms.size() / seconds)},
                              {"p50_ms", at(0.50)},
                              {"p99_ms", at(0.99)},
                              {"errors", errors.load()}}
                   .dump()
            << "\n";
  return errors.load() == 0 ? 0 : 1;
}
