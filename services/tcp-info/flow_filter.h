#ifndef MLAB_SERVICES_TCP_INFO_FLOW_FILTER_H_
#define MLAB_SERVICES_TCP_INFO_FLOW_FILTER_H_

#include <bitset>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/tcp-info/sock_id.h"
#include "services/tcp-info/socket_snapshot.h"

namespace mlab::tcpinfo {

// Decides which sockets tcp-info ignores entirely (no snapshot, file, event or metric), as
// upstream: either end local (loopback, link-local, multicast, unspecified: this also drops
// LISTEN sockets), a local port in -exclude-srcport, or a remote address in -exclude-dstip.
// Unlike upstream, every port 0-65535 can be excluded and an IPv4 exclusion also matches a
// v4-mapped remote address of a dual-stack socket.
class FlowFilter {
 public:
  FlowFilter() = default;

  void set_exclude_local(bool exclude) { exclude_local_ = exclude; }

  // Adds ports from flag values; each value may hold several, comma-separated.
  absl::Status ExcludeSrcPorts(const std::vector<std::string>& values);
  // Adds remote addresses (IPv4 or IPv6) from flag values, comma-separated as well.
  absl::Status ExcludeDstIps(const std::vector<std::string>& values);

  bool Excludes(const SockId& id) const;
  bool Excludes(const SocketSnapshot& snapshot) const;

 private:
  bool exclude_local_ = true;
  std::bitset<65536> src_ports_;
  absl::flat_hash_set<RawAddress> dst_ips_;
};

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_FLOW_FILTER_H_
