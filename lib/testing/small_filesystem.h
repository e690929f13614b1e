#ifndef MLAB_LIB_TESTING_SMALL_FILESYSTEM_H_
#define MLAB_LIB_TESTING_SMALL_FILESYSTEM_H_

// Full-disk tests: a tmpfs of a chosen size in a mount namespace that belongs to the test process
// alone, so the machine never sees it and it disappears when the process exits, however it exits.
// Tests link :small_filesystem, whose main() enters the namespace before any thread exists
// (unshare(CLONE_NEWNS) moves only the calling thread), and skip when it could not.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mlab::testing {

// Whether main() got this process its own mount namespace (it needs CAP_SYS_ADMIN), and why not.
absl::Status PrivateMountNamespace();

// A tmpfs mounted for the life of this object. Declare it after the TempDir that holds its
// directory: it unmounts first, so the TempDir can remove the directory.
class SmallFilesystem {
 public:
  // Mounts `bytes` (rounded up to pages) of tmpfs on `dir`, which is made if missing.
  static absl::StatusOr<std::unique_ptr<SmallFilesystem>> Mount(const std::string& dir,
                                                                uint64_t bytes);
  ~SmallFilesystem();
  SmallFilesystem(const SmallFilesystem&) = delete;
  SmallFilesystem& operator=(const SmallFilesystem&) = delete;

  const std::string& dir() const { return dir_; }

  // Writes dir()/name until no space is left; returns its path. Removing it gives the space back.
  absl::StatusOr<std::string> Fill(const std::string& name) const;

  uint64_t FreeBytes() const;

 private:
  explicit SmallFilesystem(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

namespace internal {
// Called by this library's main() only.
void EnterPrivateMountNamespace();
}  // namespace internal

}  // namespace mlab::testing

#endif  // MLAB_LIB_TESTING_SMALL_FILESYSTEM_H_
