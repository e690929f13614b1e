#include "services/ndt-server/go_format.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/netaddr/go_ip.h"

namespace mlab::ndt7 {

std::string FormatFileTime(absl::Time t) {
  const absl::Time seconds = absl::FromUnixSeconds(absl::ToUnixSeconds(t));
  // ToUnixSeconds floors, so the nanoseconds are in [0, 1e9).
  const int64_t nanos = absl::ToInt64Nanoseconds(t - seconds);
  const absl::CivilSecond c = absl::ToCivilSecond(seconds, absl::UTCTimeZone());
  return absl::StrFormat("%04d%02d%02dT%02d%02d%02d.%09dZ", c.year(), c.month(), c.day(), c.hour(),
                         c.minute(), c.second(), nanos);
}

GoAddr ToGoAddr(const sockaddr_storage& addr) {
  GoAddr out;
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    std::array<uint8_t, 4> v4;
    std::memcpy(v4.data(), &in->sin_addr, 4);
    out.ip = netaddr::FormatGoIp(netaddr::V4Mapped(v4));
    out.port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    netaddr::Ip16 ip;
    std::memcpy(ip.data(), in6->sin6_addr.s6_addr, 16);
    out.ip = netaddr::FormatGoIp(ip);  // v4-mapped peers of a dual-stack socket print dotted
    out.port = ntohs(in6->sin6_port);
  } else {
    // Upstream's placeholder when an address is not TCP.
    out.ip = "::1";
    out.port = 1;
  }
  return out;
}

std::string FormatHostPort(const GoAddr& addr) {
  if (addr.ip.find(':') != std::string::npos) return absl::StrCat("[", addr.ip, "]:", addr.port);
  return absl::StrCat(addr.ip, ":", addr.port);
}

}  // namespace mlab::ndt7
