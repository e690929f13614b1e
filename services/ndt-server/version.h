#ifndef MLAB_SERVICES_NDT_SERVER_VERSION_H_
#define MLAB_SERVICES_NDT_SERVER_VERSION_H_

// What the archive's Version and GitShortCommit fields and the git_short_commit metric carry.
// The commit is the stamped one (lib/version, --config=stamp); either may be overridden with
// -DNDT_SERVER_VERSION=... -DNDT_SERVER_GIT_COMMIT=...

#include "lib/version/git_commit.h"

#ifndef NDT_SERVER_VERSION
#define NDT_SERVER_VERSION "v0.25.0-cpp"
#endif
#ifndef NDT_SERVER_GIT_COMMIT
#define NDT_SERVER_GIT_COMMIT MLAB_GIT_COMMIT
#endif

namespace mlab::ndt7 {

inline constexpr char kVersion[] = NDT_SERVER_VERSION;
inline constexpr char kGitShortCommit[] = NDT_SERVER_GIT_COMMIT;

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_VERSION_H_
