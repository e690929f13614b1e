#ifndef MLAB_TOOLS_UUID_JOIN_ARCHIVE_SOURCE_H_
#define MLAB_TOOLS_UUID_JOIN_ARCHIVE_SOURCE_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mlab::uuidjoin {

// Called once per data file found: its path (for archive members, "<archive>:<member>") and bytes.
using FileVisitor = std::function<void(const std::string& path, const std::string& contents)>;

// Visits every data file under `path`: a spool or upload tree (walked recursively; hidden
// directories such as spool staging are skipped), a pusher .tgz archive (each member), or a
// single file. Unreadable entries are reported through the returned status after the walk.
absl::Status VisitFiles(const std::string& path, const FileVisitor& visitor);

// Decompressing helpers shared by the readers.
absl::Status Gunzip(absl::string_view compressed, std::string* out);
absl::Status Unzstd(absl::string_view compressed, std::string* out);

}  // namespace mlab::uuidjoin

#endif  // MLAB_TOOLS_UUID_JOIN_ARCHIVE_SOURCE_H_
