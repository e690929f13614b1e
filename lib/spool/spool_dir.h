#ifndef MLAB_LIB_SPOOL_SPOOL_DIR_H_
#define MLAB_LIB_SPOOL_SPOOL_DIR_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/spool/spool_file.h"

namespace mlab::spool {

// A file a previous process staged but never committed (it died first).
struct StagedFile {
  std::string staged_path;
  // Relative to the datatype directory: YYYY/MM/DD/<name>.
  std::string relative_path;
};

// One datatype directory of the spool, e.g. /var/spool/ndt/tcpinfo. Files are written into
// `<parent>/.tmp-<datatype>/` (same filesystem, outside every tree an uploader watches) and
// renamed into `<datadir>/YYYY/MM/DD/<name>` (UTC date) when complete, so a reader can never see
// a partial file and pushers get IN_MOVED_TO. Thread-safe.
class SpoolDir {
 public:
  struct Options {
    // fsync each file before it becomes visible, and its directory after (durable across power
    // loss, slower).
    bool sync = false;
    // Defaults to the hidden sibling `<parent>/.tmp-<basename>`.
    std::string staging_dir;
  };

  explicit SpoolDir(std::string datadir);
  SpoolDir(std::string datadir, Options options);

  // Creates the datatype and staging directories.
  absl::Status Init() const;

  // Starts a file that will become `<datadir>/<YYYY/MM/DD of date>/<name>`. `name` must be a
  // plain file name of [A-Za-z0-9:._-] with no leading dot (what pushers and ETL accept).
  absl::StatusOr<std::unique_ptr<SpoolFile>> Create(absl::Time date, absl::string_view name) const;

  // Writes a whole file at once (Create, Write, Commit); returns its final path.
  absl::StatusOr<std::string> WriteFile(absl::Time date, absl::string_view name,
                                        absl::string_view contents) const;

  // The final path for `name` on `date`; InvalidArgument for a bad name.
  absl::StatusOr<std::string> FinalPath(absl::Time date, absl::string_view name) const;

  // Staged files left behind by processes that no longer run.
  absl::StatusOr<std::vector<StagedFile>> Leftovers() const;

  // Moves a leftover into place as it is (when its writer knows it to be complete) or drops it.
  absl::Status CommitLeftover(const StagedFile& file) const;
  absl::Status DiscardLeftover(const StagedFile& file) const;

  const std::string& datadir() const { return datadir_; }
  const std::string& staging_dir() const { return options_.staging_dir; }

 private:
  std::string datadir_;
  Options options_;
};

// The `YYYY/MM/DD` directory of `t` in UTC.
std::string DatePath(absl::Time t);

// OK when `name` is a safe single path component for the spool.
absl::Status ValidateName(absl::string_view name);

// Every regular file below `dir`, as paths relative to it, sorted. Entries that vanish during the
// walk (a writer or uploader at work) are skipped; a missing `dir` gives none.
std::vector<std::string> RegularFilesBelow(const std::string& dir);

// mkdir -p with mode 0755 (before umask).
absl::Status MakeDirs(const std::string& path);

}  // namespace mlab::spool

#endif  // MLAB_LIB_SPOOL_SPOOL_DIR_H_
