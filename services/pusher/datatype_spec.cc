#include "services/pusher/datatype_spec.h"

#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace mlab::pusher {

absl::Status ParseDatatypes(std::string_view text, DatatypeList* list) {
  DatatypeList parsed;
  for (absl::string_view item :
       absl::StrSplit(absl::string_view(text.data(), text.size()), ',', absl::SkipEmpty())) {
    DatatypeSpec spec;
    size_t eq = item.find('=');
    spec.name = std::string(item.substr(0, eq));
    if (spec.name.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("bad datatype \"", item, "\": empty name"));
    }
    if (eq != absl::string_view::npos) {
      absl::string_view ratio = item.substr(eq + 1);
      if (!absl::SimpleAtod(ratio, &spec.ratio) || !std::isfinite(spec.ratio) || spec.ratio < 0 ||
          spec.ratio > 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("bad datatype \"", item, "\": ratio must be a number in [0, 1]"));
      }
    }
    parsed.push_back(std::move(spec));
  }
  for (DatatypeSpec& spec : parsed) {
    bool replaced = false;
    for (DatatypeSpec& existing : *list) {
      if (existing.name == spec.name) {
        existing.ratio = spec.ratio;
        replaced = true;
      }
    }
    if (!replaced) list->push_back(std::move(spec));
  }
  return absl::OkStatus();
}

std::string FormatDatatypes(const DatatypeList& list) {
  return absl::StrJoin(list, ",", [](std::string* out, const DatatypeSpec& spec) {
    if (spec.ratio == 1.0) {
      absl::StrAppend(out, spec.name);
    } else {
      absl::StrAppend(out, spec.name, "=", spec.ratio);
    }
  });
}

}  // namespace mlab::pusher
