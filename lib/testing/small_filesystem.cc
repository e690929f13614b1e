#include "lib/testing/small_filesystem.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace mlab::testing {
namespace {

absl::Status& NamespaceStatus() {
  static absl::Status* const status = new absl::Status(
      absl::FailedPreconditionError("main() did not call EnterPrivateMountNamespace"));
  return *status;
}

}  // namespace

void internal::EnterPrivateMountNamespace() {
  if (unshare(CLONE_NEWNS) != 0) {
    NamespaceStatus() = absl::ErrnoToStatus(errno, "unshare(CLONE_NEWNS) (needs CAP_SYS_ADMIN)");
    return;
  }
  // Without this, mounts made here would propagate back to the machine's namespace.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    NamespaceStatus() = absl::ErrnoToStatus(errno, "make / private");
    return;
  }
  NamespaceStatus() = absl::OkStatus();
}

absl::Status PrivateMountNamespace() { return NamespaceStatus(); }

absl::StatusOr<std::unique_ptr<SmallFilesystem>> SmallFilesystem::Mount(const std::string& dir,
                                                                        uint64_t bytes) {
  if (absl::Status s = PrivateMountNamespace(); !s.ok()) return s;
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::ErrnoToStatus(errno, absl::StrCat("mkdir ", dir));
  }
  std::string options = absl::StrCat("size=", bytes, ",mode=0755");
  if (mount("small", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("mount tmpfs on ", dir));
  }
  return std::unique_ptr<SmallFilesystem>(new SmallFilesystem(dir));
}

SmallFilesystem::~SmallFilesystem() { umount2(dir_.c_str(), MNT_DETACH); }

absl::StatusOr<std::string> SmallFilesystem::Fill(const std::string& name) const {
  std::string path = absl::StrCat(dir_, "/", name);
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("create ", path));
  const std::string page(4096, 'f');  // tmpfs allocates whole pages
  while (true) {
    ssize_t n = write(fd, page.data(), page.size());
    if (n > 0 || (n < 0 && errno == EINTR)) continue;
    if (n < 0 && errno == ENOSPC) break;
    absl::Status s = absl::ErrnoToStatus(errno, absl::StrCat("fill ", path));
    close(fd);
    return s;
  }
  close(fd);
  return path;
}

uint64_t SmallFilesystem::FreeBytes() const {
  struct statvfs st;
  if (statvfs(dir_.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

}  // namespace mlab::testing
