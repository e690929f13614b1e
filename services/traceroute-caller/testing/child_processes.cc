#include "services/traceroute-caller/testing/child_processes.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mlab::trc::testing {

std::vector<ChildProcess> ChildProcesses(pid_t parent) {
  const std::string ppid = absl::StrCat(parent);
  std::vector<ChildProcess> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    ChildProcess child;
    if (!absl::SimpleAtoi(entry.path().filename().string(), &child.pid)) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;  // gone
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ')'.
    const size_t open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 2 >= line.size()) {
      continue;
    }
    const std::vector<std::string> fields = absl::StrSplit(line.substr(close + 2), ' ');
    if (fields.size() < 2 || fields[1] != ppid || fields[0].empty()) continue;
    child.state = fields[0][0];
    child.name = line.substr(open + 1, close - open - 1);
    children.push_back(std::move(child));
  }
  return children;
}

bool NoChildren() {
  for (const ChildProcess& child : ChildProcesses(getpid())) {
    if (child.name != "llvm-symbolizer" && child.name != "addr2line") return false;
  }
  return true;
}

}  // namespace mlab::trc::testing
