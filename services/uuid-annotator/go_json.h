// The pieces of Go's encoding/json output that annotation files and ipservice answers carry, so
// ours match upstream's byte for byte: escaped strings, float64 and time.Time.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_GO_JSON_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_GO_JSON_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mlab::uuid_annotator {

// Appends `value` quoted and escaped as json.Marshal does (Go 1.20, upstream's toolchain):
// \" \\ \n \r \t; other control bytes and < > & as \u00xx; U+2028/U+2029 as \u2028/\u2029;
// each invalid UTF-8 byte as \ufffd; everything else raw.
void AppendGoString(absl::string_view value, std::string* out);

// Appends a float64 as json.Marshal does: the shortest text that reads back the same, in plain
// decimal, or exponent form (1e-07 -> 1e-7, 1e+21) below 1e-6 and from 1e21 up.
void AppendGoFloat(double value, std::string* out);

// time.Time's JSON form (RFC 3339 with nanoseconds, trailing zeros trimmed) in UTC, without
// quotes: "2020-04-03T00:00:02.663132563Z", "2020-04-03T00:00:02Z".
std::string FormatGoTime(absl::Time t);

// Appends `"key":` for the next member of an object, with a comma unless it is the first.
class JsonObject {
 public:
  explicit JsonObject(std::string* out) : out_(out) { out_->push_back('{'); }
  void Key(absl::string_view key);
  void End() { out_->push_back('}'); }

 private:
  std::string* out_;
  bool first_ = true;
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_GO_JSON_H_
