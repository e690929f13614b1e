#ifndef MLAB_SERVICES_PUSHER_DATATYPE_SPEC_H_
#define MLAB_SERVICES_PUSHER_DATATYPE_SPEC_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "lib/flags/flag_traits.h"

namespace mlab::pusher {

// One -datatype value: a datatype directory name and the fraction of its files to upload
// (the rest are deleted unread, as upstream's sampling does).
struct DatatypeSpec {
  std::string name;
  double ratio = 1.0;

  friend bool operator==(const DatatypeSpec& a, const DatatypeSpec& b) {
    return a.name == b.name && a.ratio == b.ratio;
  }
};

// -datatype accepts both upstream syntaxes: v1.20.3's plain `NAME` (ratio 1) and v1.20.4's
// `NAME=RATIO`, comma-separated and repeatable; a repeated name replaces the earlier ratio.
using DatatypeList = std::vector<DatatypeSpec>;

// Parses "a,b=0.5" into *list (appending or replacing by name). RATIO must be in [0, 1].
absl::Status ParseDatatypes(std::string_view text, DatatypeList* list);
std::string FormatDatatypes(const DatatypeList& list);

}  // namespace mlab::pusher

namespace mlab::flags {

template <>
struct FlagTraits<pusher::DatatypeList> {
  static constexpr bool kIsBool = false;
  static constexpr bool kRepeatable = true;
  static std::string TypeName(const pusher::DatatypeList&) { return "name[=ratio]"; }
  static absl::Status Parse(std::string_view text, pusher::DatatypeList* value) {
    return pusher::ParseDatatypes(text, value);
  }
  static std::string Format(const pusher::DatatypeList& value) {
    return pusher::FormatDatatypes(value);
  }
  static bool IsZero(const pusher::DatatypeList& value) { return value.empty(); }
};

}  // namespace mlab::flags

#endif  // MLAB_SERVICES_PUSHER_DATATYPE_SPEC_H_
