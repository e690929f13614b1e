#include "services/packet-headers/flow_key.h"

#include <arpa/inet.h>

#include "absl/strings/str_cat.h"

namespace mlab::packet_headers {

IpAddress IpAddress::V4(const uint8_t* b) {
  IpAddress a;
  a.family = 4;
  std::memcpy(a.bytes.data(), b, 4);
  return a;
}

IpAddress IpAddress::V6(const uint8_t* b) {
  IpAddress a;
  a.family = 6;
  std::memcpy(a.bytes.data(), b, 16);
  return a;
}

absl::StatusOr<IpAddress> IpAddress::Parse(absl::string_view text) {
  std::string s(text);
  uint8_t buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) return V4(buf);
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(buf, kMapped, sizeof(kMapped)) == 0) return V4(buf + 12);
    return V6(buf);
  }
  return absl::InvalidArgumentError(absl::StrCat("not an IP address: \"", text, "\""));
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family == 4) {
    inet_ntop(AF_INET, bytes.data(), buf, sizeof(buf));
  } else if (family == 6) {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof(buf));
  } else {
    return "<none>";
  }
  return buf;
}

FlowKey::FlowKey(const IpAddress& a, uint16_t a_port, const IpAddress& b, uint16_t b_port) {
  int cmp = std::memcmp(a.bytes.data(), b.bytes.data(), a.size());
  bool a_low = cmp < 0 || (cmp == 0 && a_port <= b_port);
  lo_ip_ = a_low ? a : b;
  hi_ip_ = a_low ? b : a;
  lo_port_ = a_low ? a_port : b_port;
  hi_port_ = a_low ? b_port : a_port;
}

namespace {
std::string Endpoint(const IpAddress& ip, uint16_t port) {
  if (ip.family == 6) return absl::StrCat("[", ip.ToString(), "]:", port);
  return absl::StrCat(ip.ToString(), ":", port);
}
}  // namespace

std::string FlowKey::ToString() const {
  return absl::StrCat(Endpoint(lo_ip_, lo_port_), "<->", Endpoint(hi_ip_, hi_port_));
}

}  // namespace mlab::packet_headers
