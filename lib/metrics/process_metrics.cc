#include "lib/metrics/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace mlab::metrics {
namespace {

// The fields of /proc/self/stat after "(comm)", so field 3 ("state") is element 0. The command
// name may contain spaces and parentheses, hence the search for the last ')'.
std::vector<std::string> ReadStatFields() {
  std::ifstream file("/proc/self/stat");
  const std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return {};
  std::istringstream rest(stat.substr(paren + 1));
  return {std::istream_iterator<std::string>(rest), std::istream_iterator<std::string>()};
}

// Field number `n` as numbered in proc(5), or 0 if unreadable.
double StatField(const std::vector<std::string>& fields, int n) {
  const size_t index = n - 3;
  return index < fields.size() ? std::strtod(fields[index].c_str(), nullptr) : 0;
}

double ClockTicks() { return static_cast<double>(sysconf(_SC_CLK_TCK)); }

double CpuSeconds() {
  const std::vector<std::string> fields = ReadStatFields();
  return (StatField(fields, 14) + StatField(fields, 15)) / ClockTicks();  // utime + stime.
}

double VirtualMemoryBytes() { return StatField(ReadStatFields(), 23); }  // vsize.

double ResidentMemoryBytes() {
  return StatField(ReadStatFields(), 24) * static_cast<double>(sysconf(_SC_PAGESIZE));  // rss.
}

double BootTimeSeconds() {
  std::ifstream file("/proc/stat");
  std::string key;
  double value = 0;
  while (file >> key) {
    if (key == "btime") {
      file >> value;
      return value;
    }
    file.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

double StartTimeSeconds() {
  return BootTimeSeconds() + StatField(ReadStatFields(), 22) / ClockTicks();  // starttime.
}

double OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  double count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count;
}

// The soft limit, as Go reads it from /proc/self/limits; "unlimited" is 2^64-1 there too.
double SoftLimit(int resource) {
  rlimit limit{};
  if (getrlimit(resource, &limit) != 0) return 0;
  return static_cast<double>(limit.rlim_cur);
}

}  // namespace

void RegisterProcessMetrics(Registry& registry) {
  registry.NewCounterFunc("process_cpu_seconds_total",
                          "Total user and system CPU time spent in seconds.", CpuSeconds);
  registry.NewGaugeFunc("process_open_fds", "Number of open file descriptors.", OpenFds);
  registry.NewGaugeFunc("process_max_fds", "Maximum number of open file descriptors.",
                        [] { return SoftLimit(RLIMIT_NOFILE); });
  registry.NewGaugeFunc("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                        VirtualMemoryBytes);
  registry.NewGaugeFunc("process_virtual_memory_max_bytes",
                        "Maximum amount of virtual memory available in bytes.",
                        [] { return SoftLimit(RLIMIT_AS); });
  registry.NewGaugeFunc("process_resident_memory_bytes", "Resident memory size in bytes.",
                        ResidentMemoryBytes);
  registry.NewGaugeFunc("process_start_time_seconds",
                        "Start time of the process since unix epoch in seconds.", StartTimeSeconds);
}

}  // namespace mlab::metrics
