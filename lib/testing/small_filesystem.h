#ifndef MLAB_LIB_TESTING_SMALL_FILESYSTEM_H_
#define MLAB_LIB_TESTING_SMALL_FILESYSTEM_H_

// Full-disk tests: a tmpfs of a chosen size in a mount namespace that belongs to the test process
// alone, so the machine never sees it and it disappears when the process exits, however it exits.
// Tests link :small_filesystem, whose main() enters the namespace before any thread exists
// (unshare(CLONE_NEWNS) moves only the calling thread), and skip when it could not.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mlab::testing {

// Whether main() got this process its own mount namespace (it needs CAP_SYS_ADMIN), and why not.
absl::Status PrivateMountNamespace();

// A tmpfs of `bytes` (rounded up to pages) mounted on the existing, empty directory `dir`.
absl::Status MountSmallFilesystem(const std::string& dir, uint64_t bytes);

// Writes `dir/name` until the filesystem under `dir` has no space left; returns its path.
// Removing the file gives the space back.
absl::StatusOr<std::string> FillFilesystem(const std::string& dir, const std::string& name);

// Free bytes on the filesystem holding `dir`.
uint64_t FreeBytes(const std::string& dir);

namespace internal {
// Called by this library's main() only.
void EnterPrivateMountNamespace();
}  // namespace internal

}  // namespace mlab::testing

#endif  // MLAB_LIB_TESTING_SMALL_FILESYSTEM_H_
