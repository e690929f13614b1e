#include "services/uuid-annotator/ip_address.h"

#include "absl/strings/str_cat.h"
#include "lib/netaddr/go_ip.h"

namespace mlab::uuid_annotator {
namespace {

std::optional<IpAddress> ParseText(absl::string_view text, bool unmap) {
  if (text.find(':') == absl::string_view::npos) {
    std::optional<std::array<uint8_t, 4>> v4 = netaddr::ParseIpv4(text);
    if (!v4) return std::nullopt;
    return IpAddress::V6(netaddr::V4Mapped(*v4)).Unmapped();
  }
  std::optional<netaddr::Ip16> v6 = netaddr::ParseIpv6(text);
  if (!v6) return std::nullopt;
  return unmap ? IpAddress::V6(*v6).Unmapped() : IpAddress::V6(*v6);
}

}  // namespace

std::optional<IpAddress> IpAddress::Parse(absl::string_view text) { return ParseText(text, true); }

std::optional<IpAddress> IpAddress::ParseKeepMapped(absl::string_view text) {
  return ParseText(text, false);
}

IpAddress IpAddress::V4(uint32_t host_order) {
  IpAddress ip;
  ip.bytes_ = netaddr::V4Mapped(
      {static_cast<uint8_t>(host_order >> 24), static_cast<uint8_t>(host_order >> 16),
       static_cast<uint8_t>(host_order >> 8), static_cast<uint8_t>(host_order)});
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

IpAddress IpAddress::Unmapped() const {
  if (is_v4_ || !netaddr::IsV4Mapped(bytes_)) return *this;
  IpAddress ip = *this;
  ip.is_v4_ = true;
  return ip;
}

// Go prints any address in ::ffff:0:0/96 as a dotted quad, whichever way it was parsed.
std::string IpAddress::ToString() const { return netaddr::FormatGoIp(bytes_); }

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
