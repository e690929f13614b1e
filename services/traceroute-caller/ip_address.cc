#include "services/traceroute-caller/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace mlab::trc {
namespace {

constexpr uint8_t kV4Prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

std::optional<IpAddress> IpAddress::Parse(absl::string_view text) {
  // inet_pton needs a NUL-terminated string; no address is longer than this.
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string copy(text);
  std::array<uint8_t, 16> bytes{};
  if (copy.find(':') == std::string::npos) {
    in_addr v4;
    if (inet_pton(AF_INET, copy.c_str(), &v4) != 1) return std::nullopt;
    std::memcpy(bytes.data(), kV4Prefix, sizeof(kV4Prefix));
    std::memcpy(bytes.data() + 12, &v4, 4);
    return IpAddress(bytes);
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, copy.c_str(), &v6) != 1) return std::nullopt;
  std::memcpy(bytes.data(), &v6, 16);
  return IpAddress(bytes);
}

bool IpAddress::IsV4() const { return std::memcmp(bytes_.data(), kV4Prefix, 12) == 0; }

std::string IpAddress::ToString() const {
  if (IsV4()) {
    return absl::StrCat(bytes_[12], ".", bytes_[13], ".", bytes_[14], ".", bytes_[15]);
  }
  uint16_t groups[8];
  for (int i = 0; i < 8; ++i)
    groups[i] = static_cast<uint16_t>(bytes_[2 * i] << 8 | bytes_[2 * i + 1]);
  // The longest run of zero groups (at least two; the first of equal runs) becomes "::".
  int best_start = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) best_start = i, best_len = j - i;
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out.append("::");
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out.push_back(':');
    absl::StrAppend(&out, absl::Hex(groups[i]));
  }
  return out;
}

bool IsIpAddress(absl::string_view text) { return IpAddress::Parse(text).has_value(); }

}  // namespace mlab::trc
