#ifndef MLAB_LIB_NETADDR_GO_IP_H_
#define MLAB_LIB_NETADDR_GO_IP_H_

// IP addresses parsed and printed as Go's net package does. Upstream's archives carry addresses
// as net.IP.String() wrote them, and ETL and researchers join on that text, so every service
// that writes or matches an address goes through here.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace mlab::netaddr {

// Go's 16-byte net.IP: IPv6 in network order, IPv4 mapped as ::ffff:a.b.c.d.
using Ip16 = std::array<uint8_t, 16>;

// A dotted quad, four decimal parts of at most 255 without leading zeros (as net.ParseIP).
std::optional<std::array<uint8_t, 4>> ParseIpv4(absl::string_view text);

// IPv6 text, also with an embedded dotted quad ("::ffff:1.2.3.4"); no zone.
std::optional<Ip16> ParseIpv6(absl::string_view text);

// net.ParseIP: text without ':' as IPv4 (returned mapped), else IPv6.
std::optional<Ip16> ParseGoIp(absl::string_view text);

// Go's To4() != nil: the address is IPv4 in its mapped form.
bool IsV4Mapped(const Ip16& ip);

Ip16 V4Mapped(const std::array<uint8_t, 4>& v4);

// net.IP.String() of a 16-byte IP: a dotted quad when v4-mapped; else lowercase hex groups with
// the first longest run of two or more zero groups as "::" (so ::102:304, never ::1.2.3.4).
std::string FormatGoIp(const Ip16& ip);

}  // namespace mlab::netaddr

#endif  // MLAB_LIB_NETADDR_GO_IP_H_
