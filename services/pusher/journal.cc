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
#include "lib/fileio/files.h"
#include "lib/spool/spool_dir.h"

namespace mlab::pusher {

Journal::Journal(std::string dir) : dir_(std::move(dir)), intake_(IntakePath()) {}

Journal::~Journal() = default;

absl::Status Journal::Open() {
  if (absl::Status s = spool::MakeDirs(ArchivesDir()); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  return intake_.Open();
}

absl::Status Journal::RecordIntake(absl::string_view relative_path) {
  absl::MutexLock lock(&mu_);
  absl::Status s = intake_.Append(relative_path);
  if (s.ok()) ++intake_records_;
  return s;
}

absl::StatusOr<std::vector<std::string>> Journal::ReadIntake() const {
  // A record cut short by power loss has no newline and is not returned (the sweeper still finds
  // the file).
  absl::MutexLock lock(&mu_);
  return intake_.ReadAll();
}

absl::Status Journal::RewriteIntake(const std::vector<std::string>& paths) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = intake_.Rewrite(paths); !s.ok()) return s;
  intake_records_ = 0;
  return absl::OkStatus();
}

uint64_t Journal::intake_records() const {
  absl::MutexLock lock(&mu_);
  return intake_records_;
}

absl::Status Journal::WriteManifest(const ArchiveManifest& manifest) {
  return fileio::WriteFileAtomically(absl::StrCat(ArchivesDir(), "/", manifest.id, ".manifest"),
                                     manifest.Serialize());
}

absl::Status Journal::RemoveManifest(absl::string_view id) {
  std::string path = absl::StrCat(ArchivesDir(), "/", id, ".manifest");
  if (unlink(path.c_str()) != 0 && errno != ENOENT) return fileio::ErrnoError("unlink", path);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ArchiveManifest>> Journal::LoadManifests(
    std::vector<std::string>* corrupt) const {
  DIR* dir = opendir(ArchivesDir().c_str());
  if (dir == nullptr) return fileio::ErrnoError("opendir", ArchivesDir());
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
    absl::StatusOr<std::string> text = fileio::ReadWholeFile(path);
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
  if (fd < 0) return fileio::ErrnoError("open", path);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    absl::Status s = errno == EWOULDBLOCK
                         ? absl::FailedPreconditionError(absl::StrCat(
                               "another pusher holds ", path, "; two must not share a journal"))
                         : fileio::ErrnoError("flock", path);
    close(fd);
    return s;
  }
  return fd;
}

}  // namespace mlab::pusher
