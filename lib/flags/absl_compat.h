#ifndef MLAB_LIB_FLAGS_ABSL_COMPAT_H_
#define MLAB_LIB_FLAGS_ABSL_COMPAT_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace mlab::flags::internal {

// Debian's abseil builds its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW is 0), which
// does not convert to or from std::string_view implicitly.
inline absl::string_view ToAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}
inline std::string_view ToStd(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace mlab::flags::internal

#endif  // MLAB_LIB_FLAGS_ABSL_COMPAT_H_
