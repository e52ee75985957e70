// A small metrics registry for the Prometheus text exposition format (0.0.4): counters, gauges
// and histograms with fixed buckets, in families keyed by label values.
//
// It sits on the request path, so recording is lock-cheap: a series is found under a shared
// (reader) lock and updated with relaxed atomics; only the first use of a new label set takes
// the writer lock. A family holds at most `max_series` label sets; past that, new label sets
// are folded into one series whose label values are all "_overflow", so a caller that labels
// with unbounded values (it should not: routes are keyed on their pattern) cannot grow memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace agent_host::observability {

class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void add(std::int64_t n) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  void set(std::int64_t n) noexcept { value_.store(n, std::memory_order_relaxed); }
  std::int64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// Adds one to a gauge for its lifetime (requests, streams in flight).
class GaugeGuard {
 public:
  explicit GaugeGuard(Gauge& gauge) noexcept : gauge_(&gauge) { gauge_->add(1); }
  ~GaugeGuard() { gauge_->add(-1); }
  GaugeGuard(const GaugeGuard&) = delete;
  GaugeGuard& operator=(const GaugeGuard&) = delete;

 private:
  Gauge* gauge_;
};

class Histogram {
 public:
  // `bounds`: the upper bounds of the buckets, strictly increasing (+Inf is implicit).
  explicit Histogram(const std::vector<double>& bounds);
  void observe(double value) noexcept;

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const noexcept { return bounds_; }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // non-cumulative, bounds + 1
  std::atomic<double> sum_{0};
};

// Buckets for request and turn durations in seconds: 1 ms to 2 minutes (LLM calls take seconds).
const std::vector<double>& latency_buckets();

// One metric name with its help text, label names and a series per label-value set.
template <typename T>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labels,
         std::function<std::unique_ptr<T>()> make, std::size_t max_series)
      : name_(std::move(name)),
        help_(std::move(help)),
        labels_(std::move(labels)),
        make_(std::move(make)),
        max_series_(max_series) {}

  // The series for these label values (as many as label names; extra or missing ones are a
  // programming error and go to the overflow series).
  T& with(std::initializer_list<std::string_view> values);
  // Every series, sorted by label values, for exposition.
  void each(const std::function<void(const std::vector<std::string>&, const T&)>& visit) const;

  const std::string& name() const noexcept { return name_; }
  const std::string& help() const noexcept { return help_; }
  const std::vector<std::string>& labels() const noexcept { return labels_; }

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> labels_;
  const std::function<std::unique_ptr<T>()> make_;
  const std::size_t max_series_;
  struct Series {
    std::vector<std::string> values;
    std::unique_ptr<T> metric;
  };
  mutable std::shared_mutex mutex_;
  // Keyed by the values joined with '\x1f' (a lookup builds one string, no vector).
  std::map<std::string, Series, std::less<>> series_;
};

template <typename T>
T& Family<T>::with(std::initializer_list<std::string_view> values) {
  // The key is built in a per-thread buffer: no allocation on the path of an existing series.
  thread_local std::string key;
  key.clear();
  for (const std::string_view value : values) {
    key.append(value);
    key.push_back('\x1f');
  }
  const bool well_formed = values.size() == labels_.size();
  if (well_formed) {
    std::shared_lock lock(mutex_);
    if (const auto it = series_.find(std::string_view(key)); it != series_.end()) {
      return *it->second.metric;
    }
  }
  std::unique_lock lock(mutex_);
  if (well_formed) {
    if (const auto it = series_.find(std::string_view(key)); it != series_.end()) {
      return *it->second.metric;
    }
  }
  std::vector<std::string> names;
  if (!well_formed || series_.size() >= max_series_) {
    key.clear();
    for (std::size_t i = 0; i < labels_.size(); ++i) {
      names.emplace_back("_overflow");
      key += "_overflow\x1f";
    }
    if (const auto it = series_.find(std::string_view(key)); it != series_.end()) {
      return *it->second.metric;
    }
  } else {
    names.assign(values.begin(), values.end());
  }
  const auto it = series_.emplace(key, Series{std::move(names), make_()}).first;
  return *it->second.metric;
}

template <typename T>
void Family<T>::each(
    const std::function<void(const std::vector<std::string>&, const T&)>& visit) const {
  std::shared_lock lock(mutex_);
  for (const auto& [key, series] : series_) visit(series.values, *series.metric);
}

// Families in registration order; render() writes them all.
class MetricsRegistry {
 public:
  static constexpr std::size_t kDefaultMaxSeries = 2000;

  Family<Counter>& counter(std::string name, std::string help, std::vector<std::string> labels = {},
                           std::size_t max_series = kDefaultMaxSeries);
  Family<Gauge>& gauge(std::string name, std::string help, std::vector<std::string> labels = {},
                       std::size_t max_series = kDefaultMaxSeries);
  Family<Histogram>& histogram(std::string name, std::string help, std::vector<double> bounds,
                               std::vector<std::string> labels = {},
                               std::size_t max_series = kDefaultMaxSeries);

  // The text exposition format, version 0.0.4.
  std::string render() const;

 private:
  template <typename T>
  Family<T>& add(std::unique_ptr<Family<T>> family);

  using Entry = std::variant<std::unique_ptr<Family<Counter>>, std::unique_ptr<Family<Gauge>>,
                             std::unique_ptr<Family<Histogram>>>;
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
};

}  // namespace agent_host::observability
