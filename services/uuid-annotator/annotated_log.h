// The UUIDs this node has annotated lately, kept on disk so a restarted uuid-annotator does not
// annotate a flow twice. tcp-info replays the Open of every flow still open to a new subscriber;
// the spool's never-overwrite rule catches a replayed flow whose file is still in the spool, but
// once pusher has uploaded and deleted that file, only this record prevents a second file (and a
// duplicate row for researchers).
//
// The file holds lines "<unix seconds> <uuid>" (a fileio::LineLog, so a crash or a full disk
// never glues two together); entries older than the retention are dropped when it is loaded and
// whenever it is compacted (rewritten, then renamed into place).
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_ANNOTATED_LOG_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_ANNOTATED_LOG_H_

#include <cstddef>
#include <deque>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/fileio/line_log.h"

namespace mlab::uuid_annotator {

class AnnotatedLog {
 public:
  struct Options {
    // How long a UUID is remembered: longer than any test lasts (ndt7's hard limit is 15 s), and
    // than a restart takes.
    absl::Duration retention = absl::Hours(48);
    // Compact once the file holds this many more lines than live entries.
    size_t compact_slack = 100000;
  };

  AnnotatedLog(std::string path, Options options);
  explicit AnnotatedLog(std::string path) : AnnotatedLog(std::move(path), Options()) {}
  AnnotatedLog(const AnnotatedLog&) = delete;
  AnnotatedLog& operator=(const AnnotatedLog&) = delete;

  // Reads the file (a missing one is empty; malformed lines are skipped), drops expired entries,
  // writes the compacted file and opens it for appending. On error the log still works in
  // memory, and the error says why it will not survive a restart.
  absl::Status Load(absl::Time now);

  bool Contains(absl::string_view uuid) const { return uuids_.contains(uuid); }
  // Remembers `uuid` (in memory, and appended to the file when it is open).
  absl::Status Record(absl::string_view uuid, absl::Time now);

  size_t size() const { return uuids_.size(); }
  const std::string& path() const { return file_.path(); }

 private:
  void Expire(absl::Time now);
  absl::Status Compact();

  const Options options_;
  fileio::LineLog file_;
  absl::flat_hash_set<std::string> uuids_;
  std::deque<std::pair<int64_t, std::string>> by_time_;  // oldest first
  size_t lines_in_file_ = 0;
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_ANNOTATED_LOG_H_
