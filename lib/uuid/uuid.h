#ifndef MLAB_LIB_UUID_UUID_H_
#define MLAB_LIB_UUID_UUID_H_

// The socket UUID that labels every archive record of every service on a node, so that researchers
// can join them: `<prefix>_<SO_COOKIE as %016X>` (m-lab/uuid).

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlab::uuid {

// What upstream returns instead of a UUID when the cookie cannot be read; never the empty string.
inline constexpr absl::string_view kInvalidUUID = "INVALID_UUID";

// `<prefix>_<cookie>` with the cookie as 16 upper-case, zero-padded hex digits.
std::string FromCookie(absl::string_view prefix, uint64_t cookie);

// The kernel's socket cookie of `fd` (getsockopt SO_COOKIE); the same value inet_diag reports.
absl::StatusOr<uint64_t> CookieOf(int fd);

// The UUID of socket `fd` under `prefix`.
absl::StatusOr<std::string> FromSocket(absl::string_view prefix, int fd);

// Splits a UUID into prefix and cookie; fails unless it ends in `_` and 16 hex digits.
struct ParsedUUID {
  std::string prefix;
  uint64_t cookie = 0;
};
absl::StatusOr<ParsedUUID> Parse(absl::string_view uuid);

}  // namespace mlab::uuid

#endif  // MLAB_LIB_UUID_UUID_H_
