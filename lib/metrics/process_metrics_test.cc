#include "lib/metrics/process_metrics.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <map>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "lib/metrics/registry.h"

namespace mlab::metrics {
namespace {

// Sample name -> value for the unlabelled samples of an exposition.
std::map<std::string, double> ParseSamples(const std::string& text) {
  std::map<std::string, double> samples;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.find(' ');
    samples[line.substr(0, space)] = std::strtod(line.c_str() + space + 1, nullptr);
  }
  return samples;
}

TEST(ProcessMetricsTest, PresentAndPlausible) {
  Registry registry;
  RegisterProcessMetrics(registry);
  RegisterProcessMetrics(registry);  // Idempotent.
  // Burn a little CPU so the counter has something to count.
  volatile double sink = 0;
  for (int i = 0; i < 20000000; ++i) sink = sink + i * 0.5;
  const std::string text = registry.Expose();
  const std::map<std::string, double> samples = ParseSamples(text);

  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE process_resident_memory_bytes gauge\n"), std::string::npos);
  ASSERT_EQ(samples.size(), 7u) << text;
  EXPECT_GT(samples.at("process_cpu_seconds_total"), 0);
  EXPECT_LT(samples.at("process_cpu_seconds_total"), 3600);
  EXPECT_GT(samples.at("process_resident_memory_bytes"), 1 << 20);
  EXPECT_GT(samples.at("process_virtual_memory_bytes"),
            samples.at("process_resident_memory_bytes"));
  EXPECT_GT(samples.at("process_virtual_memory_max_bytes"), 0);
  EXPECT_GE(samples.at("process_open_fds"), 3);
  EXPECT_GE(samples.at("process_max_fds"), samples.at("process_open_fds"));
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(samples.at("process_start_time_seconds"), now + 1);
  EXPECT_GT(samples.at("process_start_time_seconds"), now - 600);
}

TEST(ProcessMetricsTest, OpenFdsFollowsOpenFiles) {
  Registry registry;
  RegisterProcessMetrics(registry);
  const double before = ParseSamples(registry.Expose()).at("process_open_fds");
  const int fd = open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 0);
  const double during = ParseSamples(registry.Expose()).at("process_open_fds");
  close(fd);
  EXPECT_EQ(during, before + 1);
}

}  // namespace
}  // namespace mlab::metrics
