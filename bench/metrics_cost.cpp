// The cost of recording one request in the metrics registry, as the connection loop does it
// (a counter by route, method and status, a latency histogram by route, the in-flight gauge up
// and down), on 1 and 2 threads. bench/metrics_cost.sh runs it; figures in bench/RESULTS.md.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "observability/metrics.h"

using agent_host::observability::GaugeGuard;
using agent_host::observability::latency_buckets;
using agent_host::observability::MetricsRegistry;

int main(int argc, char** argv) {
  const long per_thread = argc > 1 ? std::stol(argv[1]) : 2000000;
  MetricsRegistry registry;
  auto& requests = registry.counter("r_total", "r", {"route", "method", "status"});
  auto& latency = registry.histogram("l_seconds", "l", latency_buckets(), {"route"});
  auto& in_flight = registry.gauge("g", "g").with({});
  const char* routes[] = {"/agents/{id}/chat", "/health", "/conversations/{id}", "/agents/{id}"};
  for (const int threads : {1, 2}) {
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        const std::string status = "200";
        for (long i = 0; i < per_thread; ++i) {
          const GaugeGuard guard(in_flight);
          const char* route = routes[(i + t) % 4];
          requests.with({route, "GET", status}).inc();
          latency.with({route}).observe(0.0042);
        }
      });
    }
    for (auto& worker : workers) worker.join();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("%d thread(s): %ld requests recorded each, %.0f ns per request per thread\n",
                threads, per_thread, seconds * 1e9 / static_cast<double>(per_thread));
  }
  return 0;
}
