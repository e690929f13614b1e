#ifndef MLAB_LIB_FLAGS_READ_FILE_H_
#define MLAB_LIB_FLAGS_READ_FILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace mlab::flags::internal {

// The file's raw bytes, untrimmed; the error names the path and the OS reason.
absl::StatusOr<std::string> ReadFileBytes(const std::string& path);

}  // namespace mlab::flags::internal

#endif  // MLAB_LIB_FLAGS_READ_FILE_H_
