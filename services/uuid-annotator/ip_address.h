// IP addresses and prefixes in binary form, parsed and printed as Go's net package does, so the
// annotator compares addresses (not strings) and writes CIDRs byte for byte as upstream.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_IP_ADDRESS_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_IP_ADDRESS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace mlab::uuid_annotator {

class IpAddress {
 public:
  // Go's net.ParseIP: a dotted quad without leading zeros, or IPv6 (also with an embedded
  // dotted quad); no zone. A v4-mapped IPv6 address (::ffff:a.b.c.d) becomes IPv4, as Go's
  // To4() makes it for every lookup and comparison the annotator does.
  static std::optional<IpAddress> Parse(absl::string_view text);
  // As Parse, but keeps a v4-mapped address IPv6 (netip.ParseAddr, which ParseCIDR uses).
  static std::optional<IpAddress> ParseKeepMapped(absl::string_view text);

  static IpAddress V4(uint32_t host_order);
  static IpAddress V6(const std::array<uint8_t, 16>& bytes);

  bool is_v4() const { return is_v4_; }
  int bits() const { return is_v4_ ? 32 : 128; }
  // Host order; only for is_v4().
  uint32_t v4() const;
  // The 16 network-order bytes (v4-mapped for IPv4).
  const std::array<uint8_t, 16>& bytes16() const { return bytes_; }
  // The address as a 128-bit number (IPv4 in the low 32 bits).
  unsigned __int128 value() const;

  // The first `length` bits, the rest cleared.
  IpAddress Masked(int length) const;
  // A v4-mapped IPv6 address as IPv4 (Go's To4()); any other address unchanged.
  IpAddress Unmapped() const;

  // Go's net.IP.String(): IPv4 dotted, IPv6 with the first longest run of two or more zero
  // groups compressed (so ::102:304, never ::1.2.3.4).
  std::string ToString() const;

  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.is_v4_ == b.is_v4_ && a.bytes_ == b.bytes_;
  }
  friend bool operator!=(const IpAddress& a, const IpAddress& b) { return !(a == b); }

 private:
  IpAddress() = default;
  std::array<uint8_t, 16> bytes_{};
  bool is_v4_ = false;
};

// A network as Go's net.ParseCIDR returns it: the address masked to the prefix length.
struct IpPrefix {
  IpAddress network;
  int length;

  // Go's net.IPNet.String(): "1.0.0.0/24", "2001:200::/32".
  std::string ToString() const;
  bool Contains(const IpAddress& ip) const;
};

// Go's net.ParseCIDR: an address (ParseKeepMapped; no zone) and a decimal prefix length of
// digits only, at most 32 or 128. The result is masked.
std::optional<IpPrefix> ParseCidr(absl::string_view text);

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_IP_ADDRESS_H_
