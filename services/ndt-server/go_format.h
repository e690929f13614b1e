#ifndef MLAB_SERVICES_NDT_SERVER_GO_FORMAT_H_
#define MLAB_SERVICES_NDT_SERVER_GO_FORMAT_H_

// Text forms that upstream's Go server produces and its consumers (clients, ETL) parse.

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mlab::ndt7 {

// The result file's time stamp: "20221130T230746.606388371Z" (always 9 digits).
std::string FormatFileTime(absl::Time t);

// An IP and port as Go's net.IP.String() and TCPAddr.Port see them: IPv4-mapped IPv6 addresses
// become dotted quads.
struct GoAddr {
  std::string ip;  // "192.0.2.1", "2001:db8::1" (no brackets)
  int port = 0;
};
GoAddr ToGoAddr(const sockaddr_storage& addr);

// Go's net.TCPAddr.String(): "192.0.2.1:80" or "[2001:db8::1]:443".
std::string FormatHostPort(const GoAddr& addr);

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_GO_FORMAT_H_
