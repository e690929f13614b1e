#include "services/uuid-annotator/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace mlab::uuid_annotator {
namespace {

constexpr uint8_t kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool IsV4Mapped(const std::array<uint8_t, 16>& b) {
  return memcmp(b.data(), kV4MappedPrefix, sizeof(kV4MappedPrefix)) == 0;
}

std::optional<IpAddress> ParseText(absl::string_view text, bool unmap) {
  // inet_pton needs a NUL-terminated copy; no valid address is this long.
  char buf[64];
  if (text.empty() || text.size() >= sizeof(buf)) return std::nullopt;
  memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (text.find(':') == absl::string_view::npos) {
    in_addr v4;
    if (inet_pton(AF_INET, buf, &v4) != 1) return std::nullopt;
    return IpAddress::V4(ntohl(v4.s_addr));
  }
  std::array<uint8_t, 16> v6;
  if (inet_pton(AF_INET6, buf, v6.data()) != 1) return std::nullopt;
  if (unmap && IsV4Mapped(v6)) {
    return IpAddress::V4(static_cast<uint32_t>(v6[12]) << 24 | static_cast<uint32_t>(v6[13]) << 16 |
                         static_cast<uint32_t>(v6[14]) << 8 | v6[15]);
  }
  return IpAddress::V6(v6);
}

}  // namespace

std::optional<IpAddress> IpAddress::Parse(absl::string_view text) { return ParseText(text, true); }

std::optional<IpAddress> IpAddress::ParseKeepMapped(absl::string_view text) {
  return ParseText(text, false);
}

IpAddress IpAddress::V4(uint32_t host_order) {
  IpAddress ip;
  memcpy(ip.bytes_.data(), kV4MappedPrefix, sizeof(kV4MappedPrefix));
  ip.bytes_[12] = host_order >> 24;
  ip.bytes_[13] = host_order >> 16;
  ip.bytes_[14] = host_order >> 8;
  ip.bytes_[15] = host_order;
  ip.is_v4_ = true;
  return ip;
}

IpAddress IpAddress::V6(const std::array<uint8_t, 16>& bytes) {
  IpAddress ip;
  ip.bytes_ = bytes;
  ip.is_v4_ = false;
  return ip;
}

uint32_t IpAddress::v4() const {
  return static_cast<uint32_t>(bytes_[12]) << 24 | static_cast<uint32_t>(bytes_[13]) << 16 |
         static_cast<uint32_t>(bytes_[14]) << 8 | bytes_[15];
}

unsigned __int128 IpAddress::value() const {
  if (is_v4_) return v4();
  unsigned __int128 v = 0;
  for (uint8_t b : bytes_) v = v << 8 | b;
  return v;
}

IpAddress IpAddress::Masked(int length) const {
  IpAddress out = *this;
  const int first = is_v4_ ? 12 : 0;
  for (int i = first; i < 16; ++i) {
    const int bit = (i - first) * 8;
    if (bit >= length) {
      out.bytes_[i] = 0;
    } else if (bit + 8 > length) {
      out.bytes_[i] &= static_cast<uint8_t>(0xff00 >> (length - bit));
    }
  }
  return out;
}

std::string IpAddress::ToString() const {
  if (is_v4_) {
    return absl::StrCat(bytes_[12], ".", bytes_[13], ".", bytes_[14], ".", bytes_[15]);
  }
  // Go prints any address in ::ffff:0:0/96 as a dotted quad; Parse never makes such a V6.
  if (IsV4Mapped(bytes_)) {
    return absl::StrCat(bytes_[12], ".", bytes_[13], ".", bytes_[14], ".", bytes_[15]);
  }
  uint16_t groups[8];
  for (int i = 0; i < 8; ++i)
    groups[i] = static_cast<uint16_t>(bytes_[2 * i] << 8 | bytes_[2 * i + 1]);
  // The first longest run of zero groups, compressed only when at least two long.
  int best_start = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best_start = -1;
  std::string out;
  out.reserve(40);
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    char hex[8];
    snprintf(hex, sizeof(hex), "%x", groups[i]);
    out += hex;
  }
  return out;
}

std::string IpPrefix::ToString() const { return absl::StrCat(network.ToString(), "/", length); }

bool IpPrefix::Contains(const IpAddress& ip) const {
  return ip.is_v4() == network.is_v4() && ip.Masked(length) == network;
}

std::optional<IpPrefix> ParseCidr(absl::string_view text) {
  const size_t slash = text.find('/');
  if (slash == absl::string_view::npos) return std::nullopt;
  std::optional<IpAddress> ip = IpAddress::ParseKeepMapped(text.substr(0, slash));
  if (!ip) return std::nullopt;
  absl::string_view mask = text.substr(slash + 1);
  // Go's dtoi: decimal digits only (leading zeros fine), at least one.
  if (mask.empty() || mask.size() > 8) return std::nullopt;
  int length = 0;
  for (char c : mask) {
    if (c < '0' || c > '9') return std::nullopt;
    length = length * 10 + (c - '0');
  }
  if (length > ip->bits()) return std::nullopt;
  return IpPrefix{ip->Masked(length), length};
}

}  // namespace mlab::uuid_annotator
