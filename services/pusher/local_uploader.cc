#include "services/pusher/local_uploader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>

#include "absl/strings/str_cat.h"
#include "lib/fileio/files.h"
#include "lib/spool/spool_dir.h"
#include "services/pusher/checksums.h"

namespace mlab::pusher {
namespace {

constexpr char kTmpDir[] = ".pusher-tmp";

}  // namespace

LocalUploader::LocalUploader(std::string root) : root_(std::move(root)) {}

absl::Status LocalUploader::Upload(const UploadRequest& request) {
  static std::atomic<uint64_t> sequence{0};
  std::string final_path = absl::StrCat(root_, "/", request.object_name);
  std::string tmp_dir = absl::StrCat(root_, "/", kTmpDir);
  if (absl::Status s = spool::MakeDirs(tmp_dir); !s.ok()) return s;
  std::string tmp = absl::StrCat(tmp_dir, "/", getpid(), "-", sequence.fetch_add(1), ".tgz");
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return fileio::ErrnoError("create", tmp);
  absl::string_view data = request.body;
  absl::Status status;
  while (!data.empty() && status.ok()) {
    if (request.cancel != nullptr && request.cancel->load()) {
      status = absl::CancelledError("upload cancelled");
      break;
    }
    ssize_t n = write(fd, data.data(), std::min<size_t>(data.size(), 1 << 20));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) status = fileio::ErrnoError("write", tmp);
    if (n > 0) data.remove_prefix(n);
  }
  if (status.ok() && fsync(fd) != 0) status = fileio::ErrnoError("fsync", tmp);
  close(fd);
  std::string final_dir = final_path.substr(0, final_path.rfind('/'));
  if (status.ok()) status = spool::MakeDirs(final_dir);
  if (status.ok() && link(tmp.c_str(), final_path.c_str()) != 0) {
    status = errno == EEXIST ? absl::AlreadyExistsError(final_path)
                             : fileio::ErrnoError("link", final_path);
  }
  unlink(tmp.c_str());
  if (status.ok()) fileio::SyncDirectory(final_dir).IgnoreError();  // as the journal does
  return status;
}

absl::StatusOr<ObjectInfo> LocalUploader::Stat(const std::string& object_name) {
  std::string path = absl::StrCat(root_, "/", object_name);
  absl::StatusOr<std::string> data = fileio::ReadWholeFile(path);
  if (!data.ok()) return data.status();
  return ObjectInfo{static_cast<int64_t>(data->size()), Md5(*data)};
}

void LocalUploader::CleanTemporaries(const std::string& root, int64_t age_seconds) {
  std::string tmp_dir = absl::StrCat(root, "/", kTmpDir);
  DIR* dir = opendir(tmp_dir.c_str());
  if (dir == nullptr) return;
  time_t now = time(nullptr);
  while (struct dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    struct stat st;
    if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
        now - st.st_mtime > age_seconds) {
      unlinkat(dirfd(dir), e->d_name, 0);
    }
  }
  closedir(dir);
}

}  // namespace mlab::pusher
