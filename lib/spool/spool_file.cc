#include "lib/spool/spool_file.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "lib/fileio/files.h"
#include "lib/spool/spool_dir.h"

namespace mlab::spool {
namespace {

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// rename(2) that fails with EEXIST instead of replacing the target.
int RenameNoReplace(const char* from, const char* to) {
  return static_cast<int>(syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE));
}

// Copies `from` into a hidden file beside `to`, then renames it into place: used across mounts.
absl::Status CopyIntoPlace(const std::string& from, const std::string& to) {
  int in = open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", from));
  size_t slash = to.rfind('/');
  std::string hidden = absl::StrCat(to.substr(0, slash + 1), ".", to.substr(slash + 1), ".copy");
  int out = open(hidden.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (out < 0) {
    absl::Status status = absl::ErrnoToStatus(errno, absl::StrCat("create ", hidden));
    close(in);
    return status;
  }
  absl::Status status;
  while (true) {
    ssize_t n = sendfile(out, in, nullptr, 1 << 20);
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = absl::ErrnoToStatus(errno, absl::StrCat("copy ", from, " to ", hidden));
      break;
    }
  }
  close(in);
  if (close(out) != 0 && status.ok()) status = absl::ErrnoToStatus(errno, "close " + hidden);
  if (status.ok() && RenameNoReplace(hidden.c_str(), to.c_str()) != 0) {
    status = absl::ErrnoToStatus(errno, absl::StrCat("rename to ", to));
  }
  if (!status.ok()) {
    unlink(hidden.c_str());
    return status;
  }
  unlink(from.c_str());
  return absl::OkStatus();
}

}  // namespace

absl::Status MoveIntoPlace(const std::string& staged, const std::string& final_path) {
  if (absl::Status made = MakeDirs(Dirname(final_path)); !made.ok()) return made;
  if (RenameNoReplace(staged.c_str(), final_path.c_str()) == 0) return absl::OkStatus();
  if (errno == EXDEV) return CopyIntoPlace(staged, final_path);
  if (errno == EEXIST) {
    return absl::AlreadyExistsError(absl::StrCat(final_path, " exists; not overwriting it"));
  }
  return absl::ErrnoToStatus(errno, absl::StrCat("rename ", staged, " to ", final_path));
}

SpoolFile::SpoolFile(int fd, std::string staged_path, std::string final_path, bool sync)
    : fd_(fd),
      staged_path_(std::move(staged_path)),
      final_path_(std::move(final_path)),
      sync_(sync) {}

SpoolFile::~SpoolFile() { Abandon(); }

absl::Status SpoolFile::Write(absl::string_view data) {
  if (!write_error_.ok()) return write_error_;
  if (fd_ < 0) return absl::FailedPreconditionError("write to a closed spool file");
  while (!data.empty()) {
    ssize_t n = write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      write_error_ = absl::ErrnoToStatus(errno, absl::StrCat("write ", staged_path_));
      return write_error_;
    }
    data.remove_prefix(static_cast<size_t>(n));
    bytes_written_ += static_cast<uint64_t>(n);
  }
  return absl::OkStatus();
}

absl::Status SpoolFile::Commit() {
  if (!write_error_.ok()) {
    Abandon();
    return write_error_;
  }
  if (fd_ < 0) return absl::FailedPreconditionError("commit of a closed spool file");
  if (sync_ && fsync(fd_) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("fsync ", staged_path_));
  }
  int fd = fd_;
  fd_ = -1;
  if (close(fd) != 0) {
    absl::Status status = absl::ErrnoToStatus(errno, absl::StrCat("close ", staged_path_));
    unlink(staged_path_.c_str());
    return status;
  }
  absl::Status moved = MoveIntoPlace(staged_path_, final_path_);
  if (!moved.ok()) {
    unlink(staged_path_.c_str());
    return moved;
  }
  // The file is in place either way; a failure here only leaves its name less durable.
  if (absl::Status synced = sync_ ? fileio::SyncDirectory(Dirname(final_path_)) : absl::OkStatus();
      !synced.ok()) {
    LOG(WARNING) << "spool: " << synced;
  }
  return absl::OkStatus();
}

void SpoolFile::Abandon() {
  if (fd_ < 0) return;
  close(fd_);
  fd_ = -1;
  if (unlink(staged_path_.c_str()) != 0 && errno != ENOENT) {
    PLOG(WARNING) << "cannot remove abandoned " << staged_path_;
  }
}

}  // namespace mlab::spool
