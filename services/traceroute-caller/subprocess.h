#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_SUBPROCESS_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_SUBPROCESS_H_

// Runs one child process to completion with a deadline, capturing stdout and stderr. The child
// leads a process group of its own, so whatever it forks dies with it: on timeout, cancellation
// or too much output the whole group is SIGKILLed, and the child is always reaped (no zombies).

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mlab::trc {

struct SubprocessOptions {
  absl::Duration timeout = absl::Minutes(15);
  // Output beyond this (stdout and stderr together) kills the process.
  size_t max_output_bytes = 64 << 20;
  // When this descriptor becomes readable (e.g. an eventfd that was written), the process is
  // killed as on timeout. -1: none.
  int cancel_fd = -1;
  // Called with the child's pid right after it started (e.g. to count or watch it).
  std::function<void(pid_t)> on_start;
};

struct SubprocessResult {
  enum class End { kExited, kTimedOut, kCancelled, kOutputTooLarge };
  End end = End::kExited;
  // waitpid status; meaningful when end == kExited.
  int wait_status = 0;
  std::string stdout_data;
  std::string stderr_data;
  absl::Duration elapsed;

  // Exited with status 0.
  bool Succeeded() const;
  // "exit status 1", "killed by signal 9", "timed out after 2s", ...
  std::string Describe() const;
};

// Starts argv[0] (a path; no PATH search) with stdin from /dev/null, signals at their defaults
// and an empty signal mask. Fails only when the process cannot be started.
absl::StatusOr<SubprocessResult> RunSubprocess(const std::vector<std::string>& argv,
                                               const SubprocessOptions& options);

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_SUBPROCESS_H_
