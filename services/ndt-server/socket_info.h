#ifndef MLAB_SERVICES_NDT_SERVER_SOCKET_INFO_H_
#define MLAB_SERVICES_NDT_SERVER_SOCKET_INFO_H_

// Kernel views of one TCP socket: BBR switched on per connection, TCP_CC_INFO and TCP_INFO.

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/ndt-server/measurement.h"

namespace mlab::ndt7 {

// setsockopt(TCP_CONGESTION, "bbr"). The error message is the errno text (upstream's metric
// label), e.g. "No such file or directory" when tcp_bbr is not loaded.
absl::Status EnableBbr(int fd);

// TCP_CC_INFO as BBR's struct tcp_bbr_info; an error unless the socket runs BBR. The returned
// ElapsedTime is 0: the caller stamps it.
absl::StatusOr<BbrInfo> ReadBbrInfo(int fd);

// TCP_INFO, truncated or zero-padded to the 232 bytes of LinuxTcpInfo.
absl::StatusOr<LinuxTcpInfo> ReadTcpInfo(int fd);

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_SOCKET_INFO_H_
