#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_LOCAL_ADDRESSES_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_LOCAL_ADDRESSES_H_

// The machine's own addresses, which decide which end of a flow is the remote one (the one to
// trace) and which addresses anonymization leaves alone: every interface address (as Go's
// net.InterfaceAddrs), plus a load balancer's external IPs when /metadata/loadbalanced says so
// (upstream v0.11.3, PR #167).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/traceroute-caller/ip_address.h"

namespace mlab::trc {

// Interface addresses (getifaddrs), then the load balancer IPs from `metadata_dir`: when
// <dir>/loadbalanced exists and is not "false", <dir>/external-ip and <dir>/external-ipv6 (an
// address or a CIDR) must both parse. Surrounding whitespace in those files is ignored.
absl::StatusOr<std::vector<IpAddress>> LocalAddresses(const std::string& metadata_dir);

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_LOCAL_ADDRESSES_H_
