#ifndef MLAB_SERVICES_TCP_INFO_SOCK_ID_H_
#define MLAB_SERVICES_TCP_INFO_SOCK_ID_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace mlab::tcpinfo {

// A 16-byte address as inet_diag lays it out: IPv6, or IPv4 in bytes 0-3 for AF_INET sockets.
using RawAddress = std::array<uint8_t, 16>;

// The identity of a socket decoded from its inet_diag_msg.
struct SockId {
  uint8_t family = 0;
  uint16_t src_port = 0;  // local
  uint16_t dst_port = 0;  // remote
  RawAddress src{};
  RawAddress dst{};
  uint32_t interface = 0;  // host order, as the kernel sends it
  uint64_t cookie = 0;

  // `src`/`dst` as IPv6, IPv4 written as v4-mapped (::ffff:a.b.c.d), so that one form compares
  // across AF_INET and dual-stack AF_INET6 sockets.
  RawAddress src_mapped() const { return Mapped(src); }
  RawAddress dst_mapped() const { return Mapped(dst); }

 private:
  RawAddress Mapped(const RawAddress& address) const;
};

// Decodes the 72-byte inet_diag_msg.
SockId DecodeSockId(absl::string_view raw_idm);

// `address` in v4-mapped IPv6 form if it is IPv4 (by `family`), else unchanged.
RawAddress ToMapped(uint8_t family, const RawAddress& address);

// True for loopback, link-local unicast, multicast and unspecified addresses (Go's net.IP
// semantics, v4-mapped IPv6 classified as IPv4). `mapped` is in ToMapped form.
bool IsLocalAddress(const RawAddress& mapped);

// Parses "192.0.2.1" or "2001:db8::1" into ToMapped form.
bool ParseAddress(absl::string_view text, RawAddress* mapped);

// Textual form: dotted quad for IPv4 and v4-mapped IPv6, else IPv6 as Go prints it (RFC 5952:
// lower-case hex, the longest run of two or more zero groups as "::").
std::string FormatAddress(const RawAddress& mapped);

// How upstream's event socket prints an inet_diag address: the family is guessed from the
// content (IPv4 when bytes 4-15 are zero, so "::" prints as "0.0.0.0"), then Go's net.IP.String.
std::string FormatAddressLikeUpstream(const RawAddress& raw);

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_SOCK_ID_H_
