#ifndef MLAB_LIB_FLAGS_STRING_LIST_H_
#define MLAB_LIB_FLAGS_STRING_LIST_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "lib/flags/flag_traits.h"

namespace mlab::flags {

// StringList is flagx.StringArray: `-x=a,b -x=c` gives {a, b, c}. Empty items are dropped, so an
// empty value (e.g. from an empty environment variable) adds nothing.
using StringList = std::vector<std::string>;

template <>
struct FlagTraits<StringList> {
  static constexpr bool kIsBool = false;
  static constexpr bool kRepeatable = true;
  static std::string TypeName(const StringList&) { return "list"; }
  static absl::Status Parse(std::string_view text, StringList* value);
  static std::string Format(const StringList& value);  // comma-separated
  static bool IsZero(const StringList& value) { return value.empty(); }
};

}  // namespace mlab::flags

#endif  // MLAB_LIB_FLAGS_STRING_LIST_H_
