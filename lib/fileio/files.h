#ifndef MLAB_LIB_FILEIO_FILES_H_
#define MLAB_LIB_FILEIO_FILES_H_

// Whole-file reads and writes for the small state files services keep beside their data (the
// pusher's journal, uuid-annotator's annotated log), with errors that name the file.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlab::fileio {

// The status for the errno of a failed `what` ("open", "write", ...) on `path`, naming both.
absl::Status ErrnoError(absl::string_view what, const std::string& path);

// The whole contents of `path`; NotFound if it does not exist.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

// Writes all of `data` to `fd` (retrying short writes and EINTR); `path` names it in errors. On
// failure part of `data` may have been written.
absl::Status WriteAll(int fd, absl::string_view data, const std::string& path);

// Replaces `path` with `contents` so that a reader, or a restart after a crash, sees the old or
// the new contents, never a mixture: written to `<path>.tmp`, fsynced, renamed over `path`. On
// failure `path` is unchanged and the temporary is removed.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents);

// fsyncs a directory, making the names created or renamed in it durable.
absl::Status SyncDirectory(const std::string& dir);

}  // namespace mlab::fileio

#endif  // MLAB_LIB_FILEIO_FILES_H_
