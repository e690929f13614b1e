#ifndef MLAB_SERVICES_PUSHER_JOURNAL_H_
#define MLAB_SERVICES_PUSHER_JOURNAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "lib/fileio/line_log.h"
#include "services/pusher/manifest.h"

namespace mlab::pusher {

// One datatype's on-disk state, so a restart (even after kill -9) resumes at once:
//   <dir>/intake.log            every accepted file, appended as it is accepted (compacted now
//                               and then to the files not yet in a sealed archive);
//   <dir>/archives/<id>.manifest  one per sealed archive until its files are deleted (written to
//                               a temporary name, fsynced and renamed, so never torn).
// Thread-safe.
class Journal {
 public:
  explicit Journal(std::string dir);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Creates the directories and opens the intake log for appending.
  absl::Status Open();

  absl::Status RecordIntake(absl::string_view relative_path);
  // Every path in the intake log, in order, duplicates included; unreadable tails are skipped.
  absl::StatusOr<std::vector<std::string>> ReadIntake() const;
  // Replaces the intake log with exactly `paths` (atomically).
  absl::Status RewriteIntake(const std::vector<std::string>& paths);
  // Records appended since the last rewrite (or open).
  uint64_t intake_records() const;

  absl::Status WriteManifest(const ArchiveManifest& manifest);
  absl::Status RemoveManifest(absl::string_view id);
  // Every manifest, oldest id first; corrupt ones are reported in *corrupt and left in place.
  absl::StatusOr<std::vector<ArchiveManifest>> LoadManifests(
      std::vector<std::string>* corrupt = nullptr) const;

  const std::string& dir() const { return dir_; }

 private:
  std::string IntakePath() const { return dir_ + "/intake.log"; }
  std::string ArchivesDir() const { return dir_ + "/archives"; }

  const std::string dir_;
  mutable absl::Mutex mu_;
  fileio::LineLog intake_ ABSL_GUARDED_BY(mu_);
  uint64_t intake_records_ ABSL_GUARDED_BY(mu_) = 0;
};

// Holds an exclusive flock on <dir>/lock for the life of the process, so two pushers never
// share a journal. Returns the descriptor (kept open on purpose).
absl::StatusOr<int> LockJournalDir(const std::string& dir);

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_JOURNAL_H_
