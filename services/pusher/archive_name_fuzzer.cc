// Fuzz target: the relative paths pusher sees in the spool (any bytes a service, or anything
// else with write access, may name a file), judged by LintRelativePath and turned into the
// archive's subdirectory and name. A path that is not rejected must give a subdirectory that is
// a prefix of it, and archive names must keep increasing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/pusher/archive_name.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlab::pusher;
  const absl::string_view path(reinterpret_cast<const char*>(data), size);
  std::string why;
  const PathVerdict verdict = LintRelativePath(path, &why);
  const std::string subdir = SubdirOf(path);
  if (verdict == PathVerdict::kRejected) return 0;
  if (!absl::StartsWith(path, subdir)) __builtin_trap();
  ArchiveNamer namer("ndt", "tcpinfo", "mlab1-lga03");
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  const std::string first = namer.Name(subdir, now);
  const std::string second = namer.Name(subdir, now);
  if (first == second) __builtin_trap();  // two archives never share a name
  return 0;
}
