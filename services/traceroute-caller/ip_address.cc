#include "services/traceroute-caller/ip_address.h"

#include "lib/netaddr/go_ip.h"

namespace mlab::trc {

std::optional<IpAddress> IpAddress::Parse(absl::string_view text) {
  std::optional<netaddr::Ip16> ip = netaddr::ParseGoIp(text);
  if (!ip) return std::nullopt;
  return IpAddress(*ip);
}

bool IpAddress::IsV4() const { return netaddr::IsV4Mapped(bytes_); }

std::string IpAddress::ToString() const { return netaddr::FormatGoIp(bytes_); }

bool IsIpAddress(absl::string_view text) { return IpAddress::Parse(text).has_value(); }

}  // namespace mlab::trc
