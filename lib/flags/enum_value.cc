#include "lib/flags/enum_value.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/flags/absl_compat.h"

namespace mlab::flags {

absl::Status Enum::Select(std::string_view text) {
  if (std::find(options_.begin(), options_.end(), text) == options_.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", internal::ToAbsl(text), "\" is not one of: ", absl::StrJoin(options_, ", ")));
  }
  value_ = std::string(text);
  return absl::OkStatus();
}

std::string FlagTraits<Enum>::TypeName(const Enum& value) {
  return absl::StrJoin(value.options(), "|");
}

}  // namespace mlab::flags
