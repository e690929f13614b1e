#ifndef MLAB_SERVICES_TCP_INFO_GO_JSON_H_
#define MLAB_SERVICES_TCP_INFO_GO_JSON_H_

// The few pieces of Go's encoding/json output that tcp-info's consumers see byte for byte:
// strings, []byte and time.Time.

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mlab::tcpinfo {

// Appends `value` as a quoted JSON string escaped as Go's json.Marshal does: \" \\ \n \r \t,
// other control bytes and < > & as \u00xx, U+2028/U+2029 as \u2028/\u2029, invalid UTF-8 as
// \ufffd.
void AppendGoJsonString(absl::string_view value, std::string* out);

// Appends standard base64 with padding (Go's encoding of []byte), without quotes.
void AppendBase64(absl::string_view bytes, std::string* out);

// Go's zero time.Time, 0001-01-01T00:00:00Z: the Timestamp of every archive header line.
absl::Time GoZeroTime();

// Go's time.Time JSON text for a UTC time, without quotes: RFC 3339 with the fraction of a
// second trimmed of trailing zeros (and dropped when zero), e.g. 2019-07-01T00:00:12.092Z.
std::string FormatGoTime(absl::Time t);
void AppendGoTime(absl::Time t, std::string* out);

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_GO_JSON_H_
