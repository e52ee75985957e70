#include "observability/metrics.h"

#include <algorithm>
#include <stdexcept>

#include "observability/metrics_text.h"

namespace agent_host::observability {

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), buckets_(new std::atomic<std::uint64_t>[bounds.size() + 1]) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
      std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end()) {
    throw std::invalid_argument("histogram bounds must be strictly increasing");
  }
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double value) noexcept {
  // Few buckets: a linear scan beats a binary search here.
  std::size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot out;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out.cumulative.push_back(running);
  }
  out.count = running;
  out.sum = sum_.load(std::memory_order_relaxed);
  return out;
}

const std::vector<double>& latency_buckets() {
  static const std::vector<double> bounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                             0.5,   1,      2.5,   5,    10,    30,   60,  120};
  return bounds;
}

template <typename T>
Family<T>& MetricsRegistry::add(std::unique_ptr<Family<T>> family) {
  std::lock_guard lock(mutex_);
  Family<T>& added = *family;
  entries_.emplace_back(std::move(family));
  return added;
}

Family<Counter>& MetricsRegistry::counter(std::string name, std::string help,
                                          std::vector<std::string> labels, std::size_t max_series) {
  return add(std::make_unique<Family<Counter>>(
      std::move(name), std::move(help), std::move(labels),
      [] { return std::make_unique<Counter>(); }, max_series));
}

Family<Gauge>& MetricsRegistry::gauge(std::string name, std::string help,
                                      std::vector<std::string> labels, std::size_t max_series) {
  return add(std::make_unique<Family<Gauge>>(
      std::move(name), std::move(help), std::move(labels), [] { return std::make_unique<Gauge>(); },
      max_series));
}

Family<Histogram>& MetricsRegistry::histogram(std::string name, std::string help,
                                              std::vector<double> bounds,
                                              std::vector<std::string> labels,
                                              std::size_t max_series) {
  const Histogram check(bounds);  // throws for bad bounds now, not at the first observation
  return add(std::make_unique<Family<Histogram>>(
      std::move(name), std::move(help), std::move(labels),
      [bounds = std::move(bounds)] { return std::make_unique<Histogram>(bounds); }, max_series));
}

namespace {

Labels zip(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  Labels labels;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    labels.emplace_back(names[i], values[i]);
  }
  return labels;
}

// Counters and gauges: one sample per series.
template <typename T>
void render_family(std::string& out, const Family<T>& family, const char* type) {
  write_family_head(out, family.name(), family.help(), type);
  family.each([&](const std::vector<std::string>& values, const T& metric) {
    write_sample(out, family.name(), zip(family.labels(), values),
                 static_cast<double>(metric.value()));
  });
}

void render_family(std::string& out, const Family<Histogram>& family, const char*) {
  write_family_head(out, family.name(), family.help(), "histogram");
  const std::string bucket = family.name() + "_bucket";
  family.each([&](const std::vector<std::string>& values, const Histogram& histogram) {
    const Labels labels = zip(family.labels(), values);
    const auto snapshot = histogram.snapshot();
    for (std::size_t i = 0; i < snapshot.cumulative.size(); ++i) {
      Labels with_le = labels;
      with_le.emplace_back("le", i < histogram.bounds().size()
                                     ? format_sample_value(histogram.bounds()[i])
                                     : std::string("+Inf"));
      write_sample(out, bucket, with_le, static_cast<double>(snapshot.cumulative[i]));
    }
    write_sample(out, family.name() + "_sum", labels, snapshot.sum);
    write_sample(out, family.name() + "_count", labels, static_cast<double>(snapshot.count));
  });
}

const char* type_name(const Family<Counter>&) { return "counter"; }
const char* type_name(const Family<Gauge>&) { return "gauge"; }
const char* type_name(const Family<Histogram>&) { return "histogram"; }

}  // namespace

std::string MetricsRegistry::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const Entry& entry : entries_) {
    std::visit([&](const auto& family) { render_family(out, *family, type_name(*family)); }, entry);
  }
  return out;
}

}  // namespace agent_host::observability
