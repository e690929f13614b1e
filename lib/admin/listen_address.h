#ifndef MLAB_LIB_ADMIN_LISTEN_ADDRESS_H_
#define MLAB_LIB_ADMIN_LISTEN_ADDRESS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlab::admin {

// A listen address in Go's "host:port" form, as upstream flags spell it.
struct ListenAddress {
  std::string host;   // Empty means every interface; IPv6 literals without brackets.
  uint16_t port = 0;  // 0 lets the kernel pick a free port.
};

// Splits ":9990", "127.0.0.1:8000", "[::1]:0" or "localhost:0" like Go's net.SplitHostPort.
// Ports must be numeric (Go's service names such as ":http" are not supported).
absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view address);

}  // namespace mlab::admin

#endif  // MLAB_LIB_ADMIN_LISTEN_ADDRESS_H_
