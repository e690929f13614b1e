#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_GO_JSON_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_GO_JSON_H_

// The pieces of Go's encoding/json output that traceroute-caller's archives carry byte for byte:
// upstream writes every record with json.Marshal/json.Encoder, and ETL joins on those bytes.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mlab::trc {

// Appends `value` quoted and escaped as Go's json.Marshal does (HTML-safe): \" \\ \n \r \t,
// other control bytes and < > & as \u00xx, U+2028/U+2029 as \u2028/\u2029, invalid UTF-8 as
// \ufffd.
void AppendGoString(absl::string_view value, std::string* out);

// Replaces each byte that is not part of valid UTF-8 with U+FFFD, as Go's json.Unmarshal does.
std::string SanitizeUtf8(absl::string_view value);

// Appends a float64 as Go's json.Marshal does: the shortest text that round-trips, in plain
// decimal unless the magnitude is below 1e-6 or at least 1e21 (then e-notation, "1e-7", "1e+21").
void AppendGoFloat(double value, std::string* out);

void AppendGoInt(int64_t value, std::string* out);
void AppendGoBool(bool value, std::string* out);

// Go's time.Time JSON text of a UTC time, quoted: RFC 3339 with the fraction of a second trimmed
// of trailing zeros and dropped when zero, e.g. "2021-08-18T17:44:32Z".
void AppendGoTime(absl::Time t, std::string* out);

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_GO_JSON_H_
