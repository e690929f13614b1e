// Preparing a unix socket path for a server: its directory exists, and a stale socket left by a
// dead server is removed (as upstream's ipservice does), but never a live one or another file.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_UNIX_SOCKET_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_UNIX_SOCKET_H_

#include <string>

#include "absl/status/status.h"

namespace mlab::uuid_annotator {

absl::Status PrepareSocketPath(const std::string& path);

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_UNIX_SOCKET_H_
