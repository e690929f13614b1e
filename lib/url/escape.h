#ifndef MLAB_LIB_URL_ESCAPE_H_
#define MLAB_LIB_URL_ESCAPE_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace mlab::url {

// Go's url.QueryEscape: letters, digits and "-_.~" kept, ' ' written as '+', every other byte as
// %XX (upper-case hex).
std::string QueryEscape(absl::string_view s);

// Go's url.QueryUnescape: %XX escapes decoded and '+' read as a space; nullopt on a malformed
// escape (a '%' not followed by two hex digits).
std::optional<std::string> QueryUnescape(absl::string_view s);

// Go's url.PathUnescape (what url.Parse does to a path): %XX escapes decoded, '+' kept; nullopt
// on a malformed escape.
std::optional<std::string> PathUnescape(absl::string_view s);

}  // namespace mlab::url

#endif  // MLAB_LIB_URL_ESCAPE_H_
