#include "services/tcp-info/ip_anonymizer.h"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "services/tcp-info/socket_snapshot.h"

namespace mlab::tcpinfo {

absl::StatusOr<IpAnonymizer::Mode> IpAnonymizer::ParseMode(absl::string_view text) {
  if (text == "none" || text.empty()) return Mode::kNone;
  if (text == "netblock") return Mode::kNetblock;
  return absl::InvalidArgumentError(
      absl::StrCat("-anonymize.ip: \"", text, "\" is not one of none, netblock"));
}

std::vector<RawAddress> IpAnonymizer::LocalAddresses() {
  std::vector<RawAddress> addresses;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return addresses;
  for (ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr) continue;
    RawAddress raw{};
    if (entry->ifa_addr->sa_family == AF_INET) {
      std::memcpy(raw.data(), &reinterpret_cast<sockaddr_in*>(entry->ifa_addr)->sin_addr, 4);
      addresses.push_back(ToMapped(AF_INET, raw));
    } else if (entry->ifa_addr->sa_family == AF_INET6) {
      std::memcpy(raw.data(), &reinterpret_cast<sockaddr_in6*>(entry->ifa_addr)->sin6_addr, 16);
      addresses.push_back(raw);
    }
  }
  freeifaddrs(list);
  return addresses;
}

IpAnonymizer::IpAnonymizer(Mode mode, const std::vector<RawAddress>& ignored)
    : mode_(mode), ignored_(ignored.begin(), ignored.end()) {}

void IpAnonymizer::AnonymizeAddress(uint8_t family, char* address) const {
  RawAddress raw;
  std::memcpy(raw.data(), address, 16);
  const RawAddress mapped = ToMapped(family, raw);
  if (ignored_.contains(mapped)) return;
  const bool v4_mapped =
      mapped[10] == 0xFF && mapped[11] == 0xFF &&
      std::all_of(mapped.begin(), mapped.begin() + 10, [](uint8_t b) { return b == 0; });
  if (family == AF_INET) {
    address[3] = 0;
  } else if (v4_mapped) {
    address[15] = 0;
  } else {
    std::memset(address + 6, 0, 10);
  }
}

void IpAnonymizer::AnonymizeIdm(std::string* raw_idm) const {
  if (mode_ == Mode::kNone || raw_idm->size() < kInetDiagMsgSize) return;
  const uint8_t family = static_cast<uint8_t>((*raw_idm)[kIdmFamilyOffset]);
  AnonymizeAddress(family, raw_idm->data() + kIdmSrcOffset);
  AnonymizeAddress(family, raw_idm->data() + kIdmDstOffset);
}

}  // namespace mlab::tcpinfo
