#include "lib/flags/string_list.h"

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/flags/absl_compat.h"

namespace mlab::flags {

absl::Status FlagTraits<StringList>::Parse(std::string_view text, StringList* value) {
  for (absl::string_view item : absl::StrSplit(internal::ToAbsl(text), ',', absl::SkipEmpty())) {
    value->emplace_back(item);
  }
  return absl::OkStatus();
}

std::string FlagTraits<StringList>::Format(const StringList& value) {
  return absl::StrJoin(value, ",");
}

}  // namespace mlab::flags
