#ifndef MLAB_LIB_FLAGS_DURATION_H_
#define MLAB_LIB_FLAGS_DURATION_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/flags/flag_traits.h"

namespace mlab::flags {

// Go's time.ParseDuration: an optional sign, then one or more decimal numbers, each with an
// optional fraction and a unit (ns, us, µs, μs, ms, s, m, h), e.g. "300ms", "-1.5h", "2h45m".
// "0" alone is allowed; any other number needs a unit.
absl::StatusOr<absl::Duration> ParseGoDuration(std::string_view text);

// Go's time.Duration.String(): "1h30m0s", "1.5s", "10ms", "300µs", "0s". Durations beyond Go's
// int64 nanoseconds (e.g. absl::InfiniteDuration()) fall back to absl::FormatDuration.
std::string FormatGoDuration(absl::Duration duration);

template <>
struct FlagTraits<absl::Duration> {
  static constexpr bool kIsBool = false;
  static constexpr bool kRepeatable = false;
  static std::string TypeName(absl::Duration) { return "duration"; }
  static absl::Status Parse(std::string_view text, absl::Duration* value);
  static std::string Format(absl::Duration value) { return FormatGoDuration(value); }
  static bool IsZero(absl::Duration value) { return value == absl::ZeroDuration(); }
};

}  // namespace mlab::flags

#endif  // MLAB_LIB_FLAGS_DURATION_H_
