#ifndef MLAB_LIB_UNIXSOCKET_SOCKET_PATH_H_
#define MLAB_LIB_UNIXSOCKET_SOCKET_PATH_H_

// The file-system side of a unix socket server: what may be bound, and what may be removed first.

#include <sys/un.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mlab::unixsocket {

// The address of `path`; InvalidArgument when it is empty or does not fit sun_path.
absl::StatusOr<sockaddr_un> SocketAddress(const std::string& path);

// Makes `path` ready for bind(2): its directory exists, and a stale socket left by a dead server
// is removed (as upstream's servers do). Never removes a socket some server still accepts on
// (AlreadyExists) or anything that is not a socket (FailedPrecondition).
absl::Status PrepareSocketPath(const std::string& path);

// At shutdown: removes the server's own socket file, but nothing at `path` that is not a socket.
void RemoveSocket(const std::string& path);

}  // namespace mlab::unixsocket

#endif  // MLAB_LIB_UNIXSOCKET_SOCKET_PATH_H_
