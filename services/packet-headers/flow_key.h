#ifndef MLAB_SERVICES_PACKET_HEADERS_FLOW_KEY_H_
#define MLAB_SERVICES_PACKET_HEADERS_FLOW_KEY_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlab::packet_headers {

// An IPv4 (4 bytes) or IPv6 (16 bytes) address in network byte order, as it appears in packets.
struct IpAddress {
  uint8_t family = 0;  // 4 or 6; 0 is "none"
  std::array<uint8_t, 16> bytes{};

  static IpAddress V4(const uint8_t* b);
  static IpAddress V6(const uint8_t* b);
  // Dotted quad or IPv6 text; a v4-mapped IPv6 address (::ffff:a.b.c.d) becomes the IPv4 address,
  // since that is what such a socket's packets carry on the wire.
  static absl::StatusOr<IpAddress> Parse(absl::string_view text);

  int size() const { return family == 4 ? 4 : 16; }
  std::string ToString() const;

  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.family == b.family && a.bytes == b.bytes;
  }
  friend bool operator!=(const IpAddress& a, const IpAddress& b) { return !(a == b); }
  template <typename H>
  friend H AbslHashValue(H h, const IpAddress& a) {
    return H::combine(std::move(h), a.family, a.bytes);
  }
};

// The TCP 4-tuple of a flow, the same whichever direction a packet goes: the "low" endpoint has
// the byte-wise smaller address (the smaller port when the addresses are equal).
class FlowKey {
 public:
  FlowKey() = default;
  FlowKey(const IpAddress& a, uint16_t a_port, const IpAddress& b, uint16_t b_port);

  const IpAddress& lo_ip() const { return lo_ip_; }
  const IpAddress& hi_ip() const { return hi_ip_; }
  uint16_t lo_port() const { return lo_port_; }
  uint16_t hi_port() const { return hi_port_; }

  // "lo_ip:port<->hi_ip:port" ("[v6]:port" for IPv6), for logs.
  std::string ToString() const;

  friend bool operator==(const FlowKey& a, const FlowKey& b) {
    return a.lo_port_ == b.lo_port_ && a.hi_port_ == b.hi_port_ && a.lo_ip_ == b.lo_ip_ &&
           a.hi_ip_ == b.hi_ip_;
  }
  friend bool operator!=(const FlowKey& a, const FlowKey& b) { return !(a == b); }
  template <typename H>
  friend H AbslHashValue(H h, const FlowKey& k) {
    return H::combine(std::move(h), k.lo_ip_, k.hi_ip_, k.lo_port_, k.hi_port_);
  }

 private:
  IpAddress lo_ip_;
  IpAddress hi_ip_;
  uint16_t lo_port_ = 0;
  uint16_t hi_port_ = 0;
};

}  // namespace mlab::packet_headers

#endif  // MLAB_SERVICES_PACKET_HEADERS_FLOW_KEY_H_
