#ifndef MLAB_SERVICES_TCP_INFO_DESTROY_LISTENER_H_
#define MLAB_SERVICES_TCP_INFO_DESTROY_LISTENER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/tcp-info/socket_snapshot.h"

struct mnl_socket;

namespace mlab::tcpinfo {

// Receives the kernel's TCP socket destroy notifications (sock_diag multicast groups
// SKNLGRP_INET_TCP_DESTROY and SKNLGRP_INET6_TCP_DESTROY): one SOCK_DIAG_BY_FAMILY message per
// freed socket, state CLOSE, with its final tcp_info. They give exact close times and the bytes
// polling misses at the end of a flow. Polling still closes flows whose notification was lost
// (ENOBUFS on overflow), so this is an improvement, never a dependency.
class DestroyListener {
 public:
  DestroyListener() = default;
  ~DestroyListener();

  DestroyListener(const DestroyListener&) = delete;
  DestroyListener& operator=(const DestroyListener&) = delete;

  // Joins both groups; fails where the kernel or the privileges do not allow it.
  absl::Status Open();

  // The descriptor to wait on for readability (-1 before Open).
  int fd() const;

  // Every notification queued now, without blocking, each stamped with `now`. `overflowed` is
  // set when the kernel dropped notifications (ENOBUFS).
  absl::StatusOr<std::vector<SocketSnapshot>> Drain(absl::Time now, bool* overflowed);

 private:
  mnl_socket* socket_ = nullptr;
  std::vector<char> scratch_;
};

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_DESTROY_LISTENER_H_
