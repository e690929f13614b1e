// The must-have compatibility check: Prometheus's own linter accepts what /metrics serves.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "lib/admin/admin_server.h"
#include "lib/admin/test_http_client.h"
#include "lib/metrics/buckets.h"
#include "lib/metrics/metrics.h"

namespace mlab::admin {
namespace {

constexpr char kPromtool[] = "/usr/bin/promtool";

struct PromtoolResult {
  int exit_code = -1;
  std::string output;
};

// Pipes `page` into `promtool check metrics` (through a file, so stdin is the page alone).
PromtoolResult CheckMetrics(const std::string& page) {
  const char* tmpdir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(tmpdir != nullptr ? tmpdir : "/tmp") + "/metrics_" +
                           std::to_string(getpid()) + ".txt";
  std::ofstream(path) << page;
  const std::string command = std::string(kPromtool) + " check metrics < " + path + " 2>&1";
  PromtoolResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) result.output.append(buf, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::remove(path.c_str());
  return result;
}

TEST(PromtoolTest, AcceptsTheAdminServersMetricsPage) {
  ASSERT_EQ(access(kPromtool, X_OK), 0)
      << kPromtool << " is missing: install Debian's \"prometheus\" package (tools/setup does)";

  // Default registry: the process_* metrics are there as in every service.
  metrics::CounterFamily& errors = metrics::NewCounterFamily(
      "promtool_test_errors_total", "Errors by type, with \"quotes\" and a \\ backslash.",
      {"type", "direction"});
  errors.WithLabels({"NLMSG_ERROR", "download"}).Increment();
  errors.WithLabels({"quote \" backslash \\ newline \n utf8 é", "upload"}).Add(3);
  metrics::NewGauge("promtool_test_queue_length", "Items waiting.").Set(-2.5);
  metrics::NewGaugeFunc("promtool_test_computed_ratio", "Computed at scrape time.",
                        [] { return 0.125; });
  metrics::HistogramFamily& rates =
      metrics::NewHistogramFamily("promtool_test_rate_mbps", "Test rates.", {"direction"},
                                  metrics::ExponentialBuckets(0.1, 1.5, 20));
  rates.WithLabels({"download"}).Observe(95.5);
  rates.WithLabels({"upload"}).Observe(1e7);
  metrics::NewHistogram("promtool_test_latency_seconds", "Latency.", metrics::DefBuckets())
      .Observe(0.3);

  AdminServer::Options options;
  options.listen_address = "127.0.0.1:0";
  AdminServer server(options);
  ASSERT_TRUE(server.Start().ok());
  testing::Get(server.port(), "/health");  // So admin_http_requests_total has a sample.
  const testing::Reply reply = testing::Get(server.port(), "/metrics");
  ASSERT_EQ(reply.status, 200);
  for (const char* expected :
       {"# TYPE promtool_test_errors_total counter", "# TYPE promtool_test_queue_length gauge",
        "# TYPE promtool_test_rate_mbps histogram",
        "promtool_test_rate_mbps_bucket{direction=", "# TYPE process_cpu_seconds_total counter",
        "process_resident_memory_bytes ", "process_start_time_seconds ", "process_open_fds ",
        "process_max_fds ", "admin_http_requests_total{code=\"200\",path=\"/health\"} 1"}) {
    EXPECT_NE(reply.body.find(expected), std::string::npos) << expected << "\n" << reply.body;
  }

  const PromtoolResult result = CheckMetrics(reply.body);
  EXPECT_EQ(result.exit_code, 0) << "promtool check metrics said:\n"
                                 << result.output << "\non this page:\n"
                                 << reply.body;
}

TEST(PromtoolTest, TheCheckCanFail) {
  ASSERT_EQ(access(kPromtool, X_OK), 0) << kPromtool << " is missing";
  // A counter without _total is a lint error, and garbage a parse error: both must fail.
  EXPECT_NE(CheckMetrics("# HELP bad Bad.\n# TYPE bad counter\nbad 1\n").exit_code, 0);
  EXPECT_NE(CheckMetrics("this is { not metrics\n").exit_code, 0);
}

}  // namespace
}  // namespace mlab::admin
