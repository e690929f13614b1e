#include "lib/uuid/uuid.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

namespace mlab::uuid {

std::string FromCookie(absl::string_view prefix, uint64_t cookie) {
  return absl::StrFormat("%s_%016X", prefix, cookie);
}

absl::StatusOr<uint64_t> CookieOf(int fd) {
  uint64_t cookie = 0;
  socklen_t len = sizeof(cookie);
  if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) != 0) {
    return absl::ErrnoToStatus(errno, "getsockopt(SO_COOKIE)");
  }
  if (len != sizeof(cookie)) {
    return absl::InternalError(absl::StrCat("getsockopt(SO_COOKIE) returned ", len, " bytes"));
  }
  return cookie;
}

absl::StatusOr<std::string> FromSocket(absl::string_view prefix, int fd) {
  absl::StatusOr<uint64_t> cookie = CookieOf(fd);
  if (!cookie.ok()) return cookie.status();
  return FromCookie(prefix, *cookie);
}

absl::StatusOr<ParsedUUID> Parse(absl::string_view uuid) {
  constexpr size_t kHexDigits = 16;
  if (uuid.size() < kHexDigits + 2 || uuid[uuid.size() - kHexDigits - 1] != '_') {
    return absl::InvalidArgumentError(absl::StrCat("not a socket UUID: \"", uuid, "\""));
  }
  absl::string_view hex = uuid.substr(uuid.size() - kHexDigits);
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) {
      return absl::InvalidArgumentError(absl::StrCat("not a socket UUID: \"", uuid, "\""));
    }
  }
  ParsedUUID parsed;
  parsed.prefix = std::string(uuid.substr(0, uuid.size() - kHexDigits - 1));
  if (!absl::SimpleHexAtoi(hex, &parsed.cookie)) {
    return absl::InvalidArgumentError(absl::StrCat("bad cookie in UUID \"", uuid, "\""));
  }
  return parsed;
}

}  // namespace mlab::uuid
