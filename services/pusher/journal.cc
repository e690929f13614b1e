#include "services/pusher/journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/spool/spool_dir.h"
#include "lib/spool/spool_file.h"

namespace mlab::pusher {
namespace {

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::ErrnoToStatus(errno, absl::StrCat(what, " ", path));
}

absl::Status WriteAll(int fd, absl::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write", path);
    }
    data.remove_prefix(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadWhole(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open", path);
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      absl::Status s = Errno("read", path);
      close(fd);
      return s;
    }
    if (n == 0) break;
    out.append(buf, n);
  }
  close(fd);
  return out;
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents) {
  std::string tmp = absl::StrCat(path, ".tmp");
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create", tmp);
  absl::Status status = WriteAll(fd, contents, tmp);
  if (status.ok() && fsync(fd) != 0) status = Errno("fsync", tmp);
  close(fd);
  if (status.ok() && rename(tmp.c_str(), path.c_str()) != 0) status = Errno("rename", tmp);
  if (!status.ok()) {
    unlink(tmp.c_str());
    return status;
  }
  // The contents are in place; the directory's fsync only makes the new name durable sooner.
  spool::SyncDirectory(path.substr(0, path.rfind('/'))).IgnoreError();
  return absl::OkStatus();
}

Journal::Journal(std::string dir) : dir_(std::move(dir)) {}

Journal::~Journal() {
  absl::MutexLock lock(&mu_);
  if (intake_fd_ >= 0) close(intake_fd_);
}

absl::Status Journal::Open() {
  if (absl::Status s = spool::MakeDirs(ArchivesDir()); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  intake_fd_ = open(IntakePath().c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (intake_fd_ < 0) return Errno("open", IntakePath());
  // A record cut short by a crash would otherwise be glued to the first one appended now. Only
  // the last byte is read unless it is torn: the pipeline reads the whole log next.
  struct stat st;
  if (fstat(intake_fd_, &st) != 0) return Errno("stat", IntakePath());
  char last = '\n';
  if (st.st_size > 0 && pread(intake_fd_, &last, 1, st.st_size - 1) != 1) {
    return Errno("read", IntakePath());
  }
  if (last != '\n') {
    absl::StatusOr<std::string> text = ReadWhole(IntakePath());
    if (!text.ok()) return text.status();
    size_t keep = text->rfind('\n');
    keep = keep == std::string::npos ? 0 : keep + 1;
    if (ftruncate(intake_fd_, static_cast<off_t>(keep)) != 0) {
      return Errno("truncate", IntakePath());
    }
  }
  return absl::OkStatus();
}

absl::Status Journal::RecordIntake(absl::string_view relative_path) {
  std::string line = absl::StrCat(relative_path, "\n");
  absl::MutexLock lock(&mu_);
  if (intake_fd_ < 0) return absl::FailedPreconditionError("journal not open");
  struct stat before;
  if (fstat(intake_fd_, &before) != 0) return Errno("stat", IntakePath());
  // One write per line: O_APPEND keeps lines whole even if the process dies between records.
  absl::Status s = WriteAll(intake_fd_, line, IntakePath());
  if (!s.ok()) {
    // A full disk can take part of the line; cut it off so the next record starts a line.
    if (ftruncate(intake_fd_, before.st_size) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat(s.message(), "; then truncate"));
    }
    return s;
  }
  ++intake_records_;
  return s;
}

absl::StatusOr<std::vector<std::string>> Journal::ReadIntake() const {
  absl::StatusOr<std::string> text = ReadWhole(IntakePath());
  if (!text.ok()) {
    if (absl::IsNotFound(text.status())) return std::vector<std::string>{};
    return text.status();
  }
  std::vector<std::string> paths;
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    paths.emplace_back(line);
  }
  // A record cut short by power loss has no newline: drop it (the sweeper still finds the file).
  if (!text->empty() && text->back() != '\n' && !paths.empty()) paths.pop_back();
  return paths;
}

absl::Status Journal::RewriteIntake(const std::vector<std::string>& paths) {
  std::string contents;
  for (const std::string& p : paths) absl::StrAppend(&contents, p, "\n");
  absl::MutexLock lock(&mu_);
  if (absl::Status s = WriteFileAtomically(IntakePath(), contents); !s.ok()) return s;
  if (intake_fd_ >= 0) close(intake_fd_);
  intake_fd_ = open(IntakePath().c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (intake_fd_ < 0) return Errno("open", IntakePath());
  intake_records_ = 0;
  return absl::OkStatus();
}

uint64_t Journal::intake_records() const {
  absl::MutexLock lock(&mu_);
  return intake_records_;
}

absl::Status Journal::WriteManifest(const ArchiveManifest& manifest) {
  return WriteFileAtomically(absl::StrCat(ArchivesDir(), "/", manifest.id, ".manifest"),
                             manifest.Serialize());
}

absl::Status Journal::RemoveManifest(absl::string_view id) {
  std::string path = absl::StrCat(ArchivesDir(), "/", id, ".manifest");
  if (unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("unlink", path);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ArchiveManifest>> Journal::LoadManifests(
    std::vector<std::string>* corrupt) const {
  DIR* dir = opendir(ArchivesDir().c_str());
  if (dir == nullptr) return Errno("opendir", ArchivesDir());
  std::vector<std::string> names;
  while (struct dirent* e = readdir(dir)) {
    absl::string_view name = e->d_name;
    if (absl::EndsWith(name, ".manifest")) names.emplace_back(name);
    // Leftover temporaries from a crash mid-write: the manifest was never in force.
    if (absl::EndsWith(name, ".manifest.tmp")) {
      unlinkat(dirfd(dir), e->d_name, 0);
    }
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  std::vector<ArchiveManifest> manifests;
  for (const std::string& name : names) {
    std::string path = absl::StrCat(ArchivesDir(), "/", name);
    absl::StatusOr<std::string> text = ReadWhole(path);
    absl::StatusOr<ArchiveManifest> m =
        text.ok() ? ArchiveManifest::Parse(*text) : absl::StatusOr<ArchiveManifest>(text.status());
    if (!m.ok()) {
      if (corrupt != nullptr) corrupt->push_back(absl::StrCat(path, ": ", m.status().message()));
      continue;
    }
    manifests.push_back(*std::move(m));
  }
  return manifests;
}

absl::StatusOr<int> LockJournalDir(const std::string& dir) {
  if (absl::Status s = spool::MakeDirs(dir); !s.ok()) return s;
  std::string path = dir + "/lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("open", path);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    absl::Status s = errno == EWOULDBLOCK
                         ? absl::FailedPreconditionError(absl::StrCat(
                               "another pusher holds ", path, "; two must not share a journal"))
                         : Errno("flock", path);
    close(fd);
    return s;
  }
  return fd;
}

}  // namespace mlab::pusher
