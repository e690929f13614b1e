#ifndef MLAB_LIB_JSON_GO_ENCODING_H_
#define MLAB_LIB_JSON_GO_ENCODING_H_

// JSON values exactly as Go's encoding/json.Marshal writes them, for the archives whose bytes
// researchers' ETL reads (upstream services build with Go 1.20; see AppendGoString for the one
// place later Go differs). Every Append* function appends one complete JSON value.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mlab::json {

// How backspace and form feed are escaped: \u0008 and \u000c up to Go 1.21 (what tcp-info,
// traceroute-caller and uuid-annotator upstream are built with), \b and \f from Go 1.22 on
// (upstream ndt-server's Go 1.25).
enum class GoEscapes { kGo120, kGo122 };

// A Go string, quoted and escaped as json.Marshal does (HTML-safe): \" \\ \n \r \t; other
// control bytes and < > & as \u00xx (lowercase hex); U+2028 and U+2029 as \u2028 and \u2029;
// each byte that is not part of valid UTF-8 (overlong forms, surrogates, above U+10FFFF,
// truncated sequences) as \ufffd; everything else, DEL and valid non-ASCII included, raw.
// Backspace and form feed are the one difference between Go releases: see GoEscapes.
void AppendGoString(absl::string_view value, std::string* out,
                    GoEscapes escapes = GoEscapes::kGo120);

// `value` with each byte that is not part of valid UTF-8 replaced by U+FFFD, as json.Unmarshal
// stores a decoded string.
std::string SanitizeUtf8(absl::string_view value);

// A Go []byte: standard base64 with padding, quoted.
void AppendGoBytes(absl::string_view bytes, std::string* out);

// A float64: the shortest decimal that reads back as the same double, in plain notation
// ("0.000001", "100000000000000000000", "123456789012345680000") unless the magnitude is below
// 1e-6 or at least 1e21 ("1e-7", "-2.5e-10", "1e+21"). NaN and infinities, which json.Marshal
// refuses, are written as 0.
void AppendGoFloat(double value, std::string* out);

void AppendGoInt(int64_t value, std::string* out);
void AppendGoBool(bool value, std::string* out);

// Go's zero time.Time, 0001-01-01T00:00:00Z.
absl::Time GoZeroTime();

// A time.Time in UTC as time.RFC3339Nano text, without quotes: the fraction of a second is
// truncated to nanoseconds, trimmed of trailing zeros and left out when zero, and the year always
// has four digits ("0001-01-01T00:00:00Z", "2019-07-01T00:00:12.09Z"). Go's MarshalJSON refuses
// years outside [0, 9999]; those are written as they are.
std::string FormatGoTime(absl::Time t);

// The time.Time JSON value: FormatGoTime(t) quoted.
void AppendGoTime(absl::Time t, std::string* out);

}  // namespace mlab::json

#endif  // MLAB_LIB_JSON_GO_ENCODING_H_
