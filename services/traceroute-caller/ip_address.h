#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_IP_ADDRESS_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_IP_ADDRESS_H_

// IP addresses as Go's net.IP sees them: upstream compares, anonymizes and re-renders hop and
// destination addresses through net.ParseIP and IP.String(), and the archived text follows.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace mlab::trc {

// An address in Go's 16-byte form: IPv4 is stored IPv4-mapped (::ffff:a.b.c.d).
class IpAddress {
 public:
  // net.ParseIP: dotted IPv4 (no leading zeros) or IPv6 text; nullopt otherwise.
  static std::optional<IpAddress> Parse(absl::string_view text);
  static IpAddress FromBytes(const std::array<uint8_t, 16>& bytes) { return IpAddress(bytes); }

  // IPv4 or IPv4-mapped (Go's To4() != nil).
  bool IsV4() const;
  // Go's IP.String(): dotted quad for IPv4, RFC 5952 text for IPv6.
  std::string ToString() const;

  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  std::array<uint8_t, 16>& mutable_bytes() { return bytes_; }

  friend bool operator==(const IpAddress& a, const IpAddress& b) { return a.bytes_ == b.bytes_; }
  friend bool operator!=(const IpAddress& a, const IpAddress& b) { return !(a == b); }
  friend bool operator<(const IpAddress& a, const IpAddress& b) { return a.bytes_ < b.bytes_; }

 private:
  explicit IpAddress(const std::array<uint8_t, 16>& bytes) : bytes_(bytes) {}
  std::array<uint8_t, 16> bytes_;
};

// True when `text` parses as an IP address (what upstream calls a "parseable" hop).
bool IsIpAddress(absl::string_view text);

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_IP_ADDRESS_H_
