#ifndef MLAB_SERVICES_PUSHER_BUNDLER_H_
#define MLAB_SERVICES_PUSHER_BUNDLER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/pusher/archive_name.h"
#include "services/pusher/manifest.h"
#include "services/pusher/memoryless.h"
#include "services/pusher/tar_bundle.h"

namespace mlab::pusher {

// An archive ready to upload: its journal manifest and (unless it was recovered from the
// journal and must be rebuilt) its bytes.
struct SealedArchive {
  ArchiveManifest manifest;
  std::string body;
  std::string reason;  // age_threshold_met, size_threshold_met, emergency_upload, recovered
  bool recovered = false;
  absl::Time sealed_at;
};

// A spool file read whole, with the identity it had when read.
struct SpoolFileContent {
  std::string content;
  FileIdentity identity;
  int64_t mtime_seconds = 0;  // Rounded as Go's archive/tar does.
};

// Reads `root/relative_path` without following symlinks. NotFound if it vanished,
// FailedPrecondition if it is not a regular file, other errors if it is unreadable.
absl::StatusOr<SpoolFileContent> ReadSpoolFile(const std::string& root,
                                               const std::string& relative_path);

// Rebuilds the archive a manifest describes from its files, byte for byte as first built if
// they are unchanged. Members that vanished or changed are left out and listed in *dropped;
// the returned manifest has the new members, size and checksums.
absl::StatusOr<SealedArchive> RebuildArchive(const std::string& root,
                                             const ArchiveManifest& manifest,
                                             const TarBundle::PaxRecords& records,
                                             std::vector<ArchivedFile>* dropped);

// Fills manifest size and checksums from body.
void SetChecksums(const std::string& body, ArchiveManifest* manifest);

// Groups one datatype's files into archives per subdirectory (the first three path
// components, i.e. the date), reading each file whole into an in-memory TarBundle. An archive
// is sealed when its compressed size reaches the threshold or when its memoryless age timer
// (started by its first file) fires. Not thread-safe: lives on the pipeline's bundling thread.
class Bundler {
 public:
  struct Options {
    std::string datatype;
    std::string root;  // <directory>/<datatype>
    double ratio = 1.0;
    int64_t size_threshold = 20'000'000;
    MemorylessDelay wait;
    TarBundle::PaxRecords pax_records;
  };
  enum class AddResult { kAdded, kSampledOut, kVanished, kNotRegular, kUnreadable };

  Bundler(Options options, ArchiveNamer* namer);

  // Adds one file (path relative to the root); archives sealed by the size threshold are
  // appended to *sealed. On kUnreadable, *error says why.
  AddResult Add(const std::string& relative_path, std::vector<SealedArchive>* sealed,
                std::string* error = nullptr);
  // Seals the archives whose timer has fired by `now`.
  void SealExpired(absl::Time now, std::vector<SealedArchive>* sealed);
  // Seals everything open (SIGTERM, shutdown).
  void SealAll(const std::string& reason, std::vector<SealedArchive>* sealed);
  // Archives opened from now on use this timer (shortened while draining).
  void SetWait(MemorylessDelay wait) { options_.wait = wait; }

  // When the next timer fires; InfiniteFuture with nothing open.
  absl::Time NextDeadline() const;
  // Files in open archives (added or sampled out).
  size_t open_files() const;

 private:
  struct Open {
    std::unique_ptr<TarBundle> tar;
    std::vector<ArchivedFile> members;
    std::vector<ArchivedFile> skipped;
    absl::Time deadline;
  };

  Open& OpenFor(const std::string& subdir);
  SealedArchive Seal(const std::string& subdir, Open& open, const std::string& reason);

  Options options_;
  ArchiveNamer* namer_;
  absl::BitGen gen_;
  std::map<std::string, Open> open_;
};

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_BUNDLER_H_
