#ifndef MLAB_LIB_UUID_PREFIX_H_
#define MLAB_LIB_UUID_PREFIX_H_

// The UUID prefix: `<POD_NAME or hostname>_<boot time in Unix seconds>` (m-lab/uuid prefix). A pod
// computes it once (create-uuid-prefix-file) and every container reads the same file, so all
// services agree even though "boot time" is derived from a clock and /proc/uptime.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mlab::uuid {

// Where the prefix comes from; injectable for tests.
struct PrefixSources {
  std::string pod_name;     // $POD_NAME; wins when non-empty
  std::string hostname;     // empty when the hostname could not be read
  std::string proc_uptime;  // contents of /proc/uptime; empty when unreadable
  absl::Time now;
};

// Reads the real sources: $POD_NAME, gethostname(), /proc/uptime and the clock.
PrefixSources SystemPrefixSources();

// `name_boottime`, with upstream's fallbacks: "BADPREFIX" when there is no name, `name_BADBOOTTIME`
// when /proc/uptime does not parse. Boot time is truncated to whole seconds, as upstream.
std::string GeneratePrefix(const PrefixSources& sources);

// The prefix a process uses when no prefix file is given: GeneratePrefix() + "_unsafe".
std::string UnsafePrefix(const PrefixSources& sources);

// Writes `prefix` to `path` as upstream's init container does: mode 0444, no trailing newline.
// The file appears complete or not at all (written beside it, then renamed), so a reader
// starting at the same moment never sees an empty prefix.
absl::Status WritePrefixFile(const std::string& path, absl::string_view prefix);

// The raw bytes of a prefix file (not trimmed: a trailing newline would be part of every UUID,
// exactly as in upstream's Go services).
absl::StatusOr<std::string> ReadPrefixFile(const std::string& path);

}  // namespace mlab::uuid

#endif  // MLAB_LIB_UUID_PREFIX_H_
