#ifndef MLAB_SERVICES_PACKET_HEADERS_INTERFACES_H_
#define MLAB_SERVICES_PACKET_HEADERS_INTERFACES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/packet-headers/flow_key.h"

namespace mlab::packet_headers {

// What the machine's interfaces look like at startup (getifaddrs).
struct InterfaceInfo {
  std::string name;
  bool up = false;
  bool loopback = false;
  std::vector<IpAddress> addresses;
};

absl::StatusOr<std::vector<InterfaceInfo>> ListInterfaces();

// The interfaces to capture on: those named (all when `names` is empty), keeping only the ones
// that are up, in the machine's order. Unknown names are an error.
absl::StatusOr<std::vector<InterfaceInfo>> SelectInterfaces(const std::vector<InterfaceInfo>& all,
                                                            const std::vector<std::string>& names);

// Upstream's filter for TCP to and from the captured interfaces' own addresses (loopback
// interfaces excluded): "tcp and ( ip host A or ip6 host B)", or "tcp" when there are none.
std::string BuildBpfFilter(const std::vector<InterfaceInfo>& selected);

// Every address of every interface: the server's own, which anonymization leaves alone.
std::vector<IpAddress> AllAddresses(const std::vector<InterfaceInfo>& all);

}  // namespace mlab::packet_headers

#endif  // MLAB_SERVICES_PACKET_HEADERS_INTERFACES_H_
