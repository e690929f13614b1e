// Reading upstream's annotator JSON (siteinfo's server annotations, the ipservice answers) with
// Go's json.Unmarshal rules, into the records of annotation.h.
#ifndef MLAB_LIB_ANNOTATION_DECODE_H_
#define MLAB_LIB_ANNOTATION_DECODE_H_

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/annotation/annotation.h"
#include "lib/json/go_decoder.h"

namespace mlab::annotation {

// Each decodes into the value it is given, as Go decodes into an existing pointer: null resets
// an optional member, keys present overwrite, keys absent leave the field alone.
void Decode(json::GoDecoder& d, const json::JsonValue& v, std::optional<Geolocation>* out);
void Decode(json::GoDecoder& d, const json::JsonValue& v, std::optional<Network>* out);
void Decode(json::GoDecoder& d, const json::JsonValue& v, ClientAnnotations* out);
void Decode(json::GoDecoder& d, const json::JsonValue& v, ServerAnnotations* out);

// An ipservice answer (Go's map[string]*ClientAnnotations, keyed by the queried address); a
// null entry (a nil pointer) is left out. InvalidArgument on bad JSON or a mistyped field.
absl::StatusOr<std::map<std::string, ClientAnnotations>> ParseClientAnnotationsMap(
    absl::string_view json);

}  // namespace mlab::annotation

#endif  // MLAB_LIB_ANNOTATION_DECODE_H_
