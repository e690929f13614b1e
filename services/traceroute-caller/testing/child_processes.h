#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_TESTING_CHILD_PROCESSES_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_TESTING_CHILD_PROCESSES_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace mlab::trc::testing {

// One process as /proc/<pid>/stat describes it.
struct ChildProcess {
  pid_t pid = 0;
  char state = '?';  // 'Z' for a zombie: exited, never reaped
  std::string name;  // comm
};

// The processes whose parent is `parent`, zombies included, read from /proc.
std::vector<ChildProcess> ChildProcesses(pid_t parent);

// True when this process has no child left, running or unreaped. The sanitizers' symbolizer,
// which TSan starts to match suppressions and keeps for the process's life, is not counted.
bool NoChildren();

}  // namespace mlab::trc::testing

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_TESTING_CHILD_PROCESSES_H_
