#include "lib/netaddr/go_ip.h"

#include <arpa/inet.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace mlab::netaddr {
namespace {

constexpr uint8_t kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// inet_pton needs a NUL-terminated string; no valid address is this long.
constexpr size_t kMaxText = 63;

bool CopyText(absl::string_view text, char (&buf)[kMaxText + 1]) {
  if (text.empty() || text.size() > kMaxText) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  return true;
}

}  // namespace

std::optional<std::array<uint8_t, 4>> ParseIpv4(absl::string_view text) {
  char buf[kMaxText + 1];
  std::array<uint8_t, 4> v4;
  // glibc's inet_pton(AF_INET) takes exactly Go's form: four parts, no leading zeros.
  if (!CopyText(text, buf) || inet_pton(AF_INET, buf, v4.data()) != 1) return std::nullopt;
  return v4;
}

std::optional<Ip16> ParseIpv6(absl::string_view text) {
  char buf[kMaxText + 1];
  Ip16 v6;
  if (!CopyText(text, buf) || inet_pton(AF_INET6, buf, v6.data()) != 1) return std::nullopt;
  return v6;
}

std::optional<Ip16> ParseGoIp(absl::string_view text) {
  if (text.find(':') != absl::string_view::npos) return ParseIpv6(text);
  std::optional<std::array<uint8_t, 4>> v4 = ParseIpv4(text);
  if (!v4) return std::nullopt;
  return V4Mapped(*v4);
}

bool IsV4Mapped(const Ip16& ip) {
  return std::memcmp(ip.data(), kV4MappedPrefix, sizeof(kV4MappedPrefix)) == 0;
}

Ip16 V4Mapped(const std::array<uint8_t, 4>& v4) {
  Ip16 ip;
  std::memcpy(ip.data(), kV4MappedPrefix, sizeof(kV4MappedPrefix));
  std::memcpy(ip.data() + 12, v4.data(), 4);
  return ip;
}

std::string FormatGoIp(const Ip16& ip) {
  if (IsV4Mapped(ip)) return absl::StrCat(ip[12], ".", ip[13], ".", ip[14], ".", ip[15]);
  uint16_t groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = static_cast<uint16_t>(ip[2 * i] << 8 | ip[2 * i + 1]);
  int best_start = -1;
  int best_len = 0;
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
  if (best_len < 2) best_start = -1;  // Go leaves a single zero group as "0".
  std::string out;
  out.reserve(39);
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    absl::StrAppend(&out, absl::Hex(groups[i]));
  }
  return out;
}

}  // namespace mlab::netaddr
