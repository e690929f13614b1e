#include "lib/metrics/registry.h"

#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "lib/metrics/buckets.h"
#include "lib/metrics/metrics.h"

namespace mlab::metrics {
namespace {

TEST(RegistryTest, EmptyRegistryExposesNothing) {
  Registry registry;
  EXPECT_EQ(registry.Expose(), "");
}

TEST(RegistryTest, UnlabelledMetricsExposeZeroSamples) {
  Registry registry;
  registry.NewCounter("b_total", "A counter.");
  registry.NewGauge("a_gauge", "A gauge.");
  EXPECT_EQ(registry.Expose(),
            "# HELP a_gauge A gauge.\n"
            "# TYPE a_gauge gauge\n"
            "a_gauge 0\n"
            "# HELP b_total A counter.\n"
            "# TYPE b_total counter\n"
            "b_total 0\n");
}

TEST(RegistryTest, LabelledFamilyWithoutChildrenIsOmitted) {
  Registry registry;
  registry.NewCounterFamily("errors_total", "Errors.", {"type"});
  EXPECT_EQ(registry.Expose(), "");
}

TEST(RegistryTest, CountersWithLabelsAndEscaping) {
  Registry registry;
  CounterFamily& errors =
      registry.NewCounterFamily("tcpinfo_error_total", "Errors \\ by\ntype.", {"type", "op"});
  errors.WithLabels({"NLMSG_ERROR", "dump"}).Increment();
  errors.WithLabels({"NLMSG_ERROR", "dump"}).Add(2.5);
  errors.WithLabels({"a\"b\\c\nd", "dump"}).Increment();
  errors.WithLabels({"EOF", "read"}).Add(-1);  // Ignored.
  EXPECT_EQ(registry.Expose(),
            "# HELP tcpinfo_error_total Errors \\\\ by\\ntype.\n"
            "# TYPE tcpinfo_error_total counter\n"
            // Labels print in name order (op before type); children sort by those values.
            "tcpinfo_error_total{op=\"dump\",type=\"NLMSG_ERROR\"} 3.5\n"
            "tcpinfo_error_total{op=\"dump\",type=\"a\\\"b\\\\c\\nd\"} 1\n"
            "tcpinfo_error_total{op=\"read\",type=\"EOF\"} 0\n");
}

TEST(RegistryTest, WithLabelsReturnsStableReference) {
  Registry registry;
  CounterFamily& family = registry.NewCounterFamily("x_total", "X.", {"a"});
  Counter& first = family.WithLabels({"1"});
  for (int i = 0; i < 100; ++i) family.WithLabels({std::to_string(i + 2)});
  EXPECT_EQ(&first, &family.WithLabels({"1"}));
}

TEST(RegistryTest, Gauges) {
  Registry registry;
  Gauge& gauge = registry.NewGauge("queue_length", "Queue length.");
  gauge.Set(10);
  gauge.Add(5);
  gauge.Sub(2.5);
  gauge.Increment();
  gauge.Decrement();
  gauge.Decrement();
  GaugeFamily& active = registry.NewGaugeFamily("active_tests", "Active tests.", {"protocol"});
  active.WithLabels({"ndt7"}).Set(-3);
  active.WithLabels({"ndt5"}).Set(1e6);
  registry.NewGaugeFunc("computed", "Computed at scrape time.", [] { return 0.125; });
  EXPECT_EQ(registry.Expose(),
            "# HELP active_tests Active tests.\n"
            "# TYPE active_tests gauge\n"
            "active_tests{protocol=\"ndt5\"} 1e+06\n"
            "active_tests{protocol=\"ndt7\"} -3\n"
            "# HELP computed Computed at scrape time.\n"
            "# TYPE computed gauge\n"
            "computed 0.125\n"
            "# HELP queue_length Queue length.\n"
            "# TYPE queue_length gauge\n"
            "queue_length 11.5\n");
}

TEST(RegistryTest, GaugeFuncIsEvaluatedAtEveryScrape) {
  Registry registry;
  int calls = 0;
  registry.NewGaugeFunc("calls", "Calls.", [&calls] { return ++calls; });
  registry.NewCounterFunc("calls_total", "Calls.", [&calls] { return calls; });
  registry.Expose();
  EXPECT_EQ(registry.Expose(),
            "# HELP calls Calls.\n# TYPE calls gauge\ncalls 2\n"
            "# HELP calls_total Calls.\n# TYPE calls_total counter\ncalls_total 2\n");
}

TEST(RegistryTest, Histograms) {
  Registry registry;
  Histogram& latency = registry.NewHistogram("latency_seconds", "Latency.", {0.5, 1, 10});
  latency.Observe(0.25);
  latency.Observe(0.5);  // On a bound: counts in that bucket.
  latency.Observe(5);
  latency.Observe(100);
  HistogramFamily& rates =
      registry.NewHistogramFamily("rate_mbps", "Rate.", {"direction"}, {1, 1e6});
  rates.WithLabels({"upload"}).Observe(2);
  rates.WithLabels({"download"});
  EXPECT_EQ(registry.Expose(),
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{le=\"0.5\"} 2\n"
            "latency_seconds_bucket{le=\"1\"} 2\n"
            "latency_seconds_bucket{le=\"10\"} 3\n"
            "latency_seconds_bucket{le=\"+Inf\"} 4\n"
            "latency_seconds_sum 105.75\n"
            "latency_seconds_count 4\n"
            "# HELP rate_mbps Rate.\n"
            "# TYPE rate_mbps histogram\n"
            "rate_mbps_bucket{direction=\"download\",le=\"1\"} 0\n"
            "rate_mbps_bucket{direction=\"download\",le=\"1e+06\"} 0\n"
            "rate_mbps_bucket{direction=\"download\",le=\"+Inf\"} 0\n"
            "rate_mbps_sum{direction=\"download\"} 0\n"
            "rate_mbps_count{direction=\"download\"} 0\n"
            "rate_mbps_bucket{direction=\"upload\",le=\"1\"} 0\n"
            "rate_mbps_bucket{direction=\"upload\",le=\"1e+06\"} 1\n"
            "rate_mbps_bucket{direction=\"upload\",le=\"+Inf\"} 1\n"
            "rate_mbps_sum{direction=\"upload\"} 2\n"
            "rate_mbps_count{direction=\"upload\"} 1\n");
  EXPECT_EQ(latency.Count(), 4u);
  EXPECT_EQ(latency.Sum(), 105.75);
}

TEST(RegistryTest, HistogramDefaultsAndNaN) {
  Registry registry;
  Histogram& h = registry.NewHistogram("h_seconds", "H.", {});
  EXPECT_EQ(h.upper_bounds(), DefBuckets());
  h.Observe(std::nan(""));
  const std::string text = registry.Expose();
  EXPECT_NE(text.find("h_seconds_bucket{le=\"10\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_seconds_bucket{le=\"+Inf\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_seconds_sum NaN\n"), std::string::npos) << text;
}

TEST(RegistryTest, TrailingInfBoundIsImplied) {
  Registry registry;
  Histogram& h = registry.NewHistogram("h", "H.", {1, 2, std::numeric_limits<double>::infinity()});
  EXPECT_EQ(h.upper_bounds(), (std::vector<double>{1, 2}));
}

TEST(RegistryTest, SameShapeReturnsExistingFamily) {
  Registry registry;
  CounterFamily& a = registry.NewCounterFamily("a_total", "A.", {"x", "y"});
  CounterFamily& b = registry.NewCounterFamily("a_total", "A again.", {"x", "y"});
  EXPECT_EQ(&a, &b);
  Counter& c = registry.NewCounter("c_total", "C.");
  EXPECT_EQ(&c, &registry.NewCounter("c_total", "C."));
  HistogramFamily& h = registry.NewHistogramFamily("h", "H.", {"x"}, {1, 2});
  EXPECT_EQ(&h, &registry.NewHistogramFamily("h", "H.", {"x"}, {1, 2}));
}

TEST(RegistryDeathTest, DifferentShapeAborts) {
  Registry registry;
  registry.NewCounterFamily("a_total", "A.", {"x"});
  EXPECT_DEATH(registry.NewGaugeFamily("a_total", "A.", {"x"}), "already registered as counter");
  EXPECT_DEATH(registry.NewCounterFamily("a_total", "A.", {"y"}), "already registered");
  EXPECT_DEATH(registry.NewCounter("a_total", "A."), "already registered");
  registry.NewHistogram("h", "H.", {1, 2});
  EXPECT_DEATH(registry.NewHistogram("h", "H.", {1, 3}), "already registered");
  registry.NewGauge("g", "G.");
  EXPECT_DEATH(registry.NewGaugeFunc("g", "G.", [] { return 1.0; }), "already registered");
}

TEST(RegistryDeathTest, InvalidNamesAbort) {
  Registry registry;
  EXPECT_DEATH(registry.NewCounter("bad-name", "X."), "invalid metric name");
  EXPECT_DEATH(registry.NewCounterFamily("x_total", "X.", {"__reserved"}), "invalid label name");
  EXPECT_DEATH(registry.NewCounterFamily("x_total", "X.", {"a", "a"}), "duplicate label name");
  EXPECT_DEATH(registry.NewHistogramFamily("h", "H.", {"le"}, {1}), "reserved");
  EXPECT_DEATH(registry.NewHistogram("h", "H.", {2, 1}), "strictly increasing");
}

TEST(RegistryDeathTest, WrongLabelCountAborts) {
  Registry registry;
  CounterFamily& family = registry.NewCounterFamily("x_total", "X.", {"a", "b"});
  EXPECT_DEATH(family.WithLabels({"1"}), "has 2 label\\(s\\) but got 1");
}

TEST(RegistryTest, ConcurrentUpdatesAreExact) {
  Registry registry;
  CounterFamily& family = registry.NewCounterFamily("hits_total", "Hits.", {"thread"});
  Counter& shared = registry.NewCounter("shared_total", "Shared.");
  Gauge& gauge = registry.NewGauge("level", "Level.");
  Histogram& histogram = registry.NewHistogram("obs", "Observations.", {0.5, 1.5});
  constexpr int kThreads = 8;
  constexpr int kIterations = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Counter& own = family.WithLabels({std::to_string(t % 2)});
      for (int i = 0; i < kIterations; ++i) {
        shared.Increment();
        own.Add(0.5);
        gauge.Add(1);
        gauge.Sub(0.5);
        histogram.Observe(1);
        if (i % 1000 == 0) registry.Expose();  // Scrapes race with updates.
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(shared.Value(), kThreads * kIterations);
  EXPECT_EQ(family.WithLabels({"0"}).Value(), kThreads / 2 * kIterations * 0.5);
  EXPECT_EQ(gauge.Value(), kThreads * kIterations * 0.5);
  EXPECT_EQ(histogram.Count(), static_cast<uint64_t>(kThreads * kIterations));
  EXPECT_EQ(histogram.Sum(), kThreads * kIterations);
  EXPECT_NE(registry.Expose().find("obs_bucket{le=\"1.5\"} 160000\n"), std::string::npos);
}

// Namespace-scope definitions in the default registry, as services write them.
CounterFamily& kNamespaceScopeFamily =
    NewCounterFamily("registry_test_namespace_scope_total", "Defined at namespace scope.", {"k"});

TEST(DefaultRegistryTest, FreeFunctionsUseDefault) {
  kNamespaceScopeFamily.WithLabels({"v"}).Increment();
  NewGauge("registry_test_gauge", "G.").Set(7);
  const std::string text = Registry::Default().Expose();
  EXPECT_NE(text.find("registry_test_namespace_scope_total{k=\"v\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("registry_test_gauge 7\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
}

}  // namespace
}  // namespace mlab::metrics
