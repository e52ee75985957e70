#include "observability/metrics.h"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "observability/host_metrics.h"
#include "observability/metrics_text.h"

using namespace agent_host::observability;

TEST_CASE("a counter family renders HELP, TYPE and one sample per label set, sorted",
          "[observability][metrics]") {
  MetricsRegistry registry;
  auto& requests = registry.counter("requests_total", "Requests served", {"route", "status"});
  requests.with({"/b", "200"}).inc(2);
  requests.with({"/a", "404"}).inc();
  requests.with({"/b", "200"}).inc();
  CHECK(registry.render() ==
        "# HELP requests_total Requests served\n"
        "# TYPE requests_total counter\n"
        "requests_total{route=\"/a\",status=\"404\"} 1\n"
        "requests_total{route=\"/b\",status=\"200\"} 3\n");
}

TEST_CASE("a gauge goes up and down and a guard holds it for its lifetime",
          "[observability][metrics]") {
  MetricsRegistry registry;
  Gauge& gauge = registry.gauge("in_flight", "In flight").with({});
  {
    const GaugeGuard one(gauge);
    const GaugeGuard two(gauge);
    CHECK(gauge.value() == 2);
  }
  CHECK(gauge.value() == 0);
  gauge.set(-3);
  CHECK(registry.render() == "# HELP in_flight In flight\n# TYPE in_flight gauge\nin_flight -3\n");
}

TEST_CASE("a histogram renders cumulative buckets with le, +Inf, sum and count",
          "[observability][metrics]") {
  MetricsRegistry registry;
  auto& latency = registry.histogram("latency_seconds", "Latency", {0.25, 1}, {"route"});
  auto& series = latency.with({"/x"});
  series.observe(0.125);
  series.observe(0.25);  // on the bound: le is "less or equal"
  series.observe(0.5);
  series.observe(7);
  CHECK(registry.render() ==
        "# HELP latency_seconds Latency\n"
        "# TYPE latency_seconds histogram\n"
        "latency_seconds_bucket{route=\"/x\",le=\"0.25\"} 2\n"
        "latency_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"
        "latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"
        "latency_seconds_sum{route=\"/x\"} 7.875\n"
        "latency_seconds_count{route=\"/x\"} 4\n");
}

TEST_CASE("histogram bounds that are not strictly increasing are refused",
          "[observability][metrics]") {
  MetricsRegistry registry;
  CHECK_THROWS_AS(registry.histogram("h", "h", {1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("h", "h", {2, 1}), std::invalid_argument);
}

TEST_CASE("label values and help text are escaped as the exposition format requires",
          "[observability][metrics]") {
  CHECK(escape_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  MetricsRegistry registry;
  registry.counter("c_total", "line one\nback\\slash", {"v"}).with({"say \"hi\"\n"}).inc();
  CHECK(registry.render() ==
        "# HELP c_total line one\\nback\\\\slash\n"
        "# TYPE c_total counter\n"
        "c_total{v=\"say \\\"hi\\\"\\n\"} 1\n");
}

TEST_CASE(
    "sample values print integers plainly, fractions exactly and infinities as the format "
    "spells them",
    "[observability][metrics]") {
  CHECK(format_sample_value(3) == "3");
  CHECK(format_sample_value(0.001) == "0.001");
  CHECK(format_sample_value(0.25) == "0.25");
  CHECK(format_sample_value(1.0 / 0.0) == "+Inf");
  CHECK(format_sample_value(-1.0 / 0.0) == "-Inf");
  CHECK(format_sample_value(0.0 / 0.0) == "NaN");
}

TEST_CASE("a family past its series limit folds new label sets into one overflow series",
          "[observability][metrics]") {
  MetricsRegistry registry;
  auto& family = registry.counter("c_total", "c", {"id"}, 2);
  family.with({"a"}).inc();
  family.with({"b"}).inc();
  family.with({"c"}).inc();
  family.with({"d"}).inc();
  family.with({"a"}).inc();  // existing series still count on their own
  const std::string text = registry.render();
  CHECK(text.find("c_total{id=\"a\"} 2\n") != std::string::npos);
  CHECK(text.find("c_total{id=\"b\"} 1\n") != std::string::npos);
  CHECK(text.find("c_total{id=\"_overflow\"} 2\n") != std::string::npos);
  CHECK(text.find("id=\"c\"") == std::string::npos);
}

TEST_CASE("label values that do not match the label names go to the overflow series",
          "[observability][metrics]") {
  MetricsRegistry registry;
  registry.counter("c_total", "c", {"a", "b"}).with({"only-one"}).inc();
  CHECK(registry.render().find("c_total{a=\"_overflow\",b=\"_overflow\"} 1\n") !=
        std::string::npos);
}

TEST_CASE("concurrent increments from many threads are all counted", "[observability][metrics]") {
  MetricsRegistry registry;
  auto& family = registry.counter("c_total", "c", {"t"});
  auto& histogram = registry.histogram("h", "h", {1}).with({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        family.with({t % 2 == 0 ? "even" : "odd"}).inc();
        histogram.observe(0.5);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(family.with({"even"}).value() == 40000);
  CHECK(family.with({"odd"}).value() == 40000);
  CHECK(histogram.snapshot().count == 80000);
  CHECK(histogram.snapshot().sum == Approx(40000));
}

TEST_CASE("provider failures are classified into upstream error types",
          "[observability][metrics]") {
  CHECK(upstream_error_type(4, "openai: timed out") == "timeout");
  CHECK(upstream_error_type(3, "openai: connect to 127.0.0.1:1 failed") == "connect");
  CHECK(upstream_error_type(3, "openai: upstream unavailable (HTTP 429): slow down") == "http_429");
  CHECK(upstream_error_type(3, "openai: upstream unavailable (HTTP 503)") == "http_5xx");
  CHECK(upstream_error_type(6, "openai: upstream rejected the API key (HTTP 401)") == "auth");
  CHECK(upstream_error_type(6, "openai: upstream refused the request (HTTP 400): bad") ==
        "http_4xx");
  CHECK(upstream_error_type(6, "openai: the stream ended without [DONE]") == "malformed");
  CHECK(upstream_error_type(5, "cancelled") == "cancelled");
  CHECK(upstream_error_type(1, "bad input") == "invalid_request");
  CHECK(upstream_error_type(7, "bug") == "internal");
}
