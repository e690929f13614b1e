#include "services/tcp-info/sock_id.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "absl/strings/str_format.h"
#include "services/tcp-info/socket_snapshot.h"

namespace mlab::tcpinfo {
namespace {

bool IsV4Mapped(const RawAddress& a) {
  for (int i = 0; i < 10; ++i) {
    if (a[i] != 0) return false;
  }
  return a[10] == 0xFF && a[11] == 0xFF;
}

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
  if (IsV4Mapped(a)) {
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
  std::string copy(text);
  RawAddress raw{};
  if (inet_pton(AF_INET, copy.c_str(), raw.data()) == 1) {
    *mapped = ToMapped(AF_INET, raw);
    return true;
  }
  if (inet_pton(AF_INET6, copy.c_str(), raw.data()) == 1) {
    *mapped = raw;
    return true;
  }
  return false;
}

std::string FormatAddress(const RawAddress& mapped) {
  if (IsV4Mapped(mapped)) {
    return absl::StrFormat("%d.%d.%d.%d", mapped[12], mapped[13], mapped[14], mapped[15]);
  }
  // The longest run of at least two zero groups becomes "::" (the first one on a tie).
  int best_start = -1, best_end = -1;
  for (int i = 0; i < 16; i += 2) {
    int j = i;
    while (j < 16 && mapped[j] == 0 && mapped[j + 1] == 0) j += 2;
    if (j > i && j - i > best_end - best_start) {
      best_start = i;
      best_end = j;
      i = j;
    }
  }
  if (best_end - best_start <= 2) best_start = best_end = -1;
  std::string text;
  for (int i = 0; i < 16; i += 2) {
    if (i == best_start) {
      text += "::";
      i = best_end;
      if (i >= 16) break;
    } else if (i > 0) {
      text += ':';
    }
    absl::StrAppendFormat(&text, "%x", mapped[i] << 8 | mapped[i + 1]);
  }
  return text;
}

std::string FormatAddressLikeUpstream(const RawAddress& raw) {
  bool v4 = true;
  for (int i = 4; i < 16; ++i) v4 = v4 && raw[i] == 0;
  return FormatAddress(v4 ? ToMapped(AF_INET, raw) : raw);
}

}  // namespace mlab::tcpinfo
