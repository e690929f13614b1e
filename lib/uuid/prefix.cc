#include "lib/uuid/prefix.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mlab::uuid {

PrefixSources SystemPrefixSources() {
  PrefixSources sources;
  if (const char* pod = std::getenv("POD_NAME"); pod != nullptr) sources.pod_name = pod;
  char host[HOST_NAME_MAX + 1] = {};
  if (gethostname(host, sizeof(host) - 1) == 0) sources.hostname = host;
  std::ifstream uptime("/proc/uptime");
  std::stringstream contents;
  contents << uptime.rdbuf();
  sources.proc_uptime = contents.str();
  sources.now = absl::Now();
  return sources;
}

std::string GeneratePrefix(const PrefixSources& sources) {
  std::string name = !sources.pod_name.empty() ? sources.pod_name : sources.hostname;
  if (name.empty()) return "BADPREFIX";
  std::vector<absl::string_view> fields =
      absl::StrSplit(sources.proc_uptime, absl::ByAnyChar(" \t\n"), absl::SkipEmpty());
  double uptime_seconds = 0;
  if (fields.empty() || !absl::SimpleAtod(fields[0], &uptime_seconds) ||
      !std::isfinite(uptime_seconds) || uptime_seconds < 0) {
    return absl::StrCat(name, "_BADBOOTTIME");
  }
  // Upstream converts the uptime through microseconds, then truncates the boot time to seconds.
  absl::Duration uptime = absl::Microseconds(static_cast<int64_t>(uptime_seconds * 1e6));
  int64_t boot = absl::ToUnixSeconds(sources.now - uptime);
  return absl::StrCat(name, "_", boot);
}

std::string UnsafePrefix(const PrefixSources& sources) {
  return absl::StrCat(GeneratePrefix(sources), "_unsafe");
}

absl::Status WritePrefixFile(const std::string& path, absl::string_view prefix) {
  std::string tmp = absl::StrCat(path, ".tmp.", getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0444);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("create ", tmp));
  size_t done = 0;
  while (done < prefix.size()) {
    ssize_t n = write(fd, prefix.data() + done, prefix.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      absl::Status status = absl::ErrnoToStatus(errno, absl::StrCat("write ", tmp));
      close(fd);
      unlink(tmp.c_str());
      return status;
    }
    done += static_cast<size_t>(n);
  }
  // The mode at open() is filtered by the umask; upstream's file is 0444 regardless.
  if (fchmod(fd, 0444) != 0 || fsync(fd) != 0) {
    absl::Status status = absl::ErrnoToStatus(errno, absl::StrCat("finish ", tmp));
    close(fd);
    unlink(tmp.c_str());
    return status;
  }
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    absl::Status status = absl::ErrnoToStatus(errno, absl::StrCat("rename to ", path));
    unlink(tmp.c_str());
    return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadPrefixFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read UUID prefix file ", path));
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace mlab::uuid
