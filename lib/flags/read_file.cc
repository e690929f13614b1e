#include "lib/flags/read_file.h"

#include "absl/status/status.h"
#include "lib/fileio/files.h"

namespace mlab::flags::internal {

absl::StatusOr<std::string> ReadFileBytes(const std::string& path) {
  absl::StatusOr<std::string> bytes = fileio::ReadWholeFile(path);
  // A flag names a file: anything but a missing one (e.g. EISDIR for a directory) is a bad value.
  if (!bytes.ok() && !absl::IsNotFound(bytes.status())) {
    return absl::InvalidArgumentError(bytes.status().message());
  }
  return bytes;
}

}  // namespace mlab::flags::internal
