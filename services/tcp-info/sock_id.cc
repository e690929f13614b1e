#include "services/tcp-info/sock_id.h"

#include <netinet/in.h>

#include <cstring>

#include "lib/netaddr/go_ip.h"
#include "services/tcp-info/socket_snapshot.h"

namespace mlab::tcpinfo {
namespace {

uint16_t BigEndian16(absl::string_view bytes, size_t offset) {
  return static_cast<uint16_t>(static_cast<uint8_t>(bytes[offset]) << 8 |
                               static_cast<uint8_t>(bytes[offset + 1]));
}

}  // namespace

RawAddress SockId::Mapped(const RawAddress& address) const { return ToMapped(family, address); }

RawAddress ToMapped(uint8_t family, const RawAddress& address) {
  if (family != AF_INET) return address;
  RawAddress mapped{};
  mapped[10] = 0xFF;
  mapped[11] = 0xFF;
  std::memcpy(mapped.data() + 12, address.data(), 4);
  return mapped;
}

SockId DecodeSockId(absl::string_view raw_idm) {
  SockId id;
  if (raw_idm.size() < kInetDiagMsgSize) return id;
  id.family = static_cast<uint8_t>(raw_idm[kIdmFamilyOffset]);
  id.src_port = BigEndian16(raw_idm, kIdmSportOffset);
  id.dst_port = BigEndian16(raw_idm, kIdmDportOffset);
  std::memcpy(id.src.data(), raw_idm.data() + kIdmSrcOffset, 16);
  std::memcpy(id.dst.data(), raw_idm.data() + kIdmDstOffset, 16);
  std::memcpy(&id.interface, raw_idm.data() + kIdmInterfaceOffset, 4);
  uint32_t halves[2];
  std::memcpy(halves, raw_idm.data() + kIdmCookieOffset, sizeof(halves));
  id.cookie = static_cast<uint64_t>(halves[0]) | static_cast<uint64_t>(halves[1]) << 32;
  return id;
}

bool IsLocalAddress(const RawAddress& a) {
  if (netaddr::IsV4Mapped(a)) {
    const uint8_t b0 = a[12];
    const bool unspecified = a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] == 0;
    return b0 == 127 || (b0 == 169 && a[13] == 254) || (b0 & 0xF0) == 224 || unspecified;
  }
  bool all_zero = true;
  for (int i = 0; i < 15; ++i) all_zero = all_zero && a[i] == 0;
  if (all_zero && (a[15] == 0 || a[15] == 1)) return true;  // :: and ::1
  if (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) return true;   // fe80::/10
  return a[0] == 0xFF;                                      // ff00::/8
}

bool ParseAddress(absl::string_view text, RawAddress* mapped) {
  std::optional<netaddr::Ip16> ip = netaddr::ParseGoIp(text);
  if (!ip) return false;
  *mapped = *ip;
  return true;
}

std::string FormatAddress(const RawAddress& mapped) { return netaddr::FormatGoIp(mapped); }

std::string FormatAddressLikeUpstream(const RawAddress& raw) {
  bool v4 = true;
  for (int i = 4; i < 16; ++i) v4 = v4 && raw[i] == 0;
  return FormatAddress(v4 ? ToMapped(AF_INET, raw) : raw);
}

}  // namespace mlab::tcpinfo
