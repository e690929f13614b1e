#ifndef MLAB_LIB_SPOOL_SPOOL_FILE_H_
#define MLAB_LIB_SPOOL_SPOOL_FILE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mlab::spool {

// One archive file being written. It lives in the spool's staging directory, invisible to
// uploaders, until Commit() moves it under its final name in one rename; if it is destroyed
// without Commit() it is removed. After a crash it stays in staging for SpoolDir::Leftovers().
class SpoolFile {
 public:
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;
  ~SpoolFile();

  // Appends `data`, retrying short writes. A failure (a full disk) may leave part of `data`
  // written, so it is final: later writes and Commit() fail with the same error.
  absl::Status Write(absl::string_view data);

  // Makes the file visible at final_path(). Fails with AlreadyExists, leaving the staged file
  // removed and the existing archive untouched, if that name is taken: archives are never
  // overwritten. After a failed Write() it drops the file instead: a file with a hole in it
  // must never reach a reader.
  absl::Status Commit();

  // Drops the staged file.
  void Abandon();

  // The descriptor, for writers that stream into it (it stays owned by this object).
  int fd() const { return fd_; }
  const std::string& final_path() const { return final_path_; }
  const std::string& staged_path() const { return staged_path_; }
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  friend class SpoolDir;
  SpoolFile(int fd, std::string staged_path, std::string final_path, bool sync);

  int fd_;
  std::string staged_path_;
  std::string final_path_;
  bool sync_;
  uint64_t bytes_written_ = 0;
  absl::Status write_error_;
};

// Moves `staged` to `final_path` without ever replacing an existing file, creating the final
// directory as needed. Falls back to a copy when the two are on different mounts (in k8s a
// datatype directory can be a mount of its own).
absl::Status MoveIntoPlace(const std::string& staged, const std::string& final_path);

}  // namespace mlab::spool

#endif  // MLAB_LIB_SPOOL_SPOOL_FILE_H_
