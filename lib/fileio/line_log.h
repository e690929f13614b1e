#ifndef MLAB_LIB_FILEIO_LINE_LOG_H_
#define MLAB_LIB_FILEIO_LINE_LOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlab::fileio {

// An append-only file of records, one per line, that stays whole through a crash or a full disk:
// a record is appended in one write, a record that a failed write left partly on disk is cut off
// again, and a last record without its newline (a crash mid-write) is dropped when the log is
// opened. So the next record always starts its own line, and a reader never sees two records
// glued together. Not thread-safe: callers serialise.
class LineLog {
 public:
  explicit LineLog(std::string path) : path_(std::move(path)) {}
  ~LineLog() { Close(); }
  LineLog(const LineLog&) = delete;
  LineLog& operator=(const LineLog&) = delete;

  // Opens the log for appending, creating it if missing (its directory must exist), and drops a
  // torn last record. Reads only the last byte unless that record is torn.
  absl::Status Open();
  void Close();
  bool is_open() const { return fd_ >= 0; }

  // Appends `record` and a newline. InvalidArgument if `record` holds a newline; on a failed
  // write nothing of `record` stays in the file (or, if even the cut fails, the error says so).
  absl::Status Append(absl::string_view record);

  // Every complete record in the file, in order; empty lines are skipped and so is a torn last
  // record. A missing file has none.
  absl::StatusOr<std::vector<std::string>> ReadAll() const;

  // Replaces the log with exactly `records`, atomically (WriteFileAtomically), and leaves it open
  // for appending.
  absl::Status Rewrite(const std::vector<std::string>& records);

  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  int fd_ = -1;
};

}  // namespace mlab::fileio

#endif  // MLAB_LIB_FILEIO_LINE_LOG_H_
