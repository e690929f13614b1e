#ifndef MLAB_LIB_JSON_FULL_PRECISION_H_
#define MLAB_LIB_JSON_FULL_PRECISION_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rapidjson/document.h"

namespace mlab::json {

// Parses `text` into `doc` reading every number to the nearest float64, as Go's encoding/json
// does (rapidjson's kParseFullPrecisionFlag), so values we re-encode print as Go prints them.
//
// Rapidjson 1.1.0 (Debian bookworm) reads past its table of powers of ten on some numbers
// smaller than about 1e-326 (e.g. 3.0000000066006E-336, found by fuzzing): a crash on input.
// Numbers whose magnitude is below 1e-326 or above 1e310 are therefore refused before parsing,
// with their offset; no file we read has a use for them (Go itself refuses those above 1.8e308).
//
// Errors are InvalidArgument: "bad JSON at offset N: <reason>" or "number out of range at
// offset N"; on error `doc` holds no usable value.
absl::Status ParseFullPrecision(absl::string_view text, rapidjson::Document* doc);

}  // namespace mlab::json

#endif  // MLAB_LIB_JSON_FULL_PRECISION_H_
