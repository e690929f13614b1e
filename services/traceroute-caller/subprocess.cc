#include "services/traceroute-caller/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mlab::trc {
namespace {

// Without pidfd_open (kernels before 5.3) exit is noticed by polling this often.
constexpr absl::Duration kExitPollInterval = absl::Milliseconds(20);

int PidfdOpen(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#else
  errno = ENOSYS;
  return -1;
#endif
}

// True once the child has exited (without reaping it, so its pid and group stay reserved).
bool HasExited(pid_t pid) {
  siginfo_t info;
  std::memset(&info, 0, sizeof(info));
  while (waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    if (errno != EINTR) return true;  // ECHILD: nothing left to wait for.
  }
  return info.si_pid == pid;
}

void KillGroup(pid_t pid) { kill(-pid, SIGKILL); }

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

}  // namespace

bool SubprocessResult::Succeeded() const {
  return end == End::kExited && WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;
}

std::string SubprocessResult::Describe() const {
  switch (end) {
    case End::kTimedOut:
      return absl::StrCat("timed out after ", absl::FormatDuration(elapsed));
    case End::kCancelled:
      return "cancelled";
    case End::kOutputTooLarge:
      return "killed: too much output";
    case End::kExited:
      break;
  }
  if (WIFEXITED(wait_status)) return absl::StrCat("exit status ", WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) return absl::StrCat("killed by signal ", WTERMSIG(wait_status));
  return absl::StrCat("wait status ", wait_status);
}

absl::StatusOr<SubprocessResult> RunSubprocess(const std::vector<std::string>& argv,
                                               const SubprocessOptions& options) {
  if (argv.empty()) return absl::InvalidArgumentError("empty command");
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    int e = errno;
    close(out_pipe[0]);
    close(out_pipe[1]);
    return absl::ErrnoToStatus(e, "pipe");
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);  // A group of its own: one kill reaches its children too.
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  absl::Time start = absl::Now();
  pid_t pid = -1;
  int spawn_error = posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawn_error != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return absl::ErrnoToStatus(spawn_error, absl::StrCat("starting ", argv[0]));
  }
  if (options.on_start) options.on_start(pid);

  SubprocessResult result;
  int fds[2] = {out_pipe[0], err_pipe[0]};
  std::string* sinks[2] = {&result.stdout_data, &result.stderr_data};
  int pidfd = PidfdOpen(pid);
  absl::Time deadline = start + options.timeout;
  bool exited = false;
  bool killed = false;
  char buf[65536];
  while (fds[0] >= 0 || fds[1] >= 0 || !exited) {
    absl::Time now = absl::Now();
    if (now >= deadline) {
      result.end = SubprocessResult::End::kTimedOut;
      break;
    }
    pollfd p[4];
    int n = 0;
    int index_of[2] = {-1, -1};
    for (int i = 0; i < 2; ++i) {
      if (fds[i] < 0) continue;
      index_of[i] = n;
      p[n++] = {fds[i], POLLIN, 0};
    }
    int cancel_index = -1;
    if (!exited && pidfd >= 0) p[n++] = {pidfd, POLLIN, 0};
    if (options.cancel_fd >= 0) {
      cancel_index = n;
      p[n++] = {options.cancel_fd, POLLIN, 0};
    }
    absl::Duration wait = deadline - now;
    if (!exited && pidfd < 0) wait = std::min(wait, kExitPollInterval);
    int ms = static_cast<int>(std::max<int64_t>(1, absl::ToInt64Milliseconds(wait) + 1));
    int ready = poll(p, n, ms);
    if (ready < 0 && errno != EINTR) break;
    if (cancel_index >= 0 && (p[cancel_index].revents & POLLIN)) {
      result.end = SubprocessResult::End::kCancelled;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (index_of[i] < 0 || p[index_of[i]].revents == 0) continue;
      ssize_t got = read(fds[i], buf, sizeof(buf));
      if (got > 0) {
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        CloseFd(&fds[i]);
      }
    }
    if (result.stdout_data.size() + result.stderr_data.size() > options.max_output_bytes) {
      result.end = SubprocessResult::End::kOutputTooLarge;
      break;
    }
    if (!exited && HasExited(pid)) {
      exited = true;
      // Whatever it left behind in its group must not hold the pipes open until the deadline.
      KillGroup(pid);
      killed = true;
    }
  }
  if (result.end != SubprocessResult::End::kExited || !killed) KillGroup(pid);
  CloseFd(&fds[0]);
  CloseFd(&fds[1]);
  if (pidfd >= 0) close(pidfd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.wait_status = status;
  result.elapsed = absl::Now() - start;
  return result;
}

}  // namespace mlab::trc
