#include "services/packet-headers/interfaces.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mlab::packet_headers {

absl::StatusOr<std::vector<InterfaceInfo>> ListInterfaces() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return absl::ErrnoToStatus(errno, "getifaddrs");
  std::vector<InterfaceInfo> out;
  auto find = [&out](const char* name) -> InterfaceInfo& {
    for (InterfaceInfo& info : out) {
      if (info.name == name) return info;
    }
    out.push_back(InterfaceInfo{name});
    return out.back();
  };
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_name == nullptr) continue;
    InterfaceInfo& info = find(a->ifa_name);
    info.up = (a->ifa_flags & IFF_UP) != 0;
    info.loopback = (a->ifa_flags & IFF_LOOPBACK) != 0;
    if (a->ifa_addr == nullptr) continue;
    if (a->ifa_addr->sa_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
      info.addresses.push_back(IpAddress::V4(reinterpret_cast<const uint8_t*>(&sin->sin_addr)));
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr);
      info.addresses.push_back(IpAddress::V6(sin6->sin6_addr.s6_addr));
    }
  }
  freeifaddrs(list);
  std::stable_sort(out.begin(), out.end(), [](const InterfaceInfo& a, const InterfaceInfo& b) {
    return if_nametoindex(a.name.c_str()) < if_nametoindex(b.name.c_str());
  });
  return out;
}

absl::StatusOr<std::vector<InterfaceInfo>> SelectInterfaces(const std::vector<InterfaceInfo>& all,
                                                            const std::vector<std::string>& names) {
  std::vector<InterfaceInfo> selected;
  for (const std::string& name : names) {
    if (std::none_of(all.begin(), all.end(),
                     [&](const InterfaceInfo& i) { return i.name == name; })) {
      return absl::NotFoundError(absl::StrCat("no interface named \"", name, "\""));
    }
  }
  for (const InterfaceInfo& info : all) {
    const bool named =
        names.empty() || std::find(names.begin(), names.end(), info.name) != names.end();
    if (named && info.up) selected.push_back(info);
  }
  return selected;
}

std::string BuildBpfFilter(const std::vector<InterfaceInfo>& selected) {
  std::vector<std::string> terms;
  for (const InterfaceInfo& info : selected) {
    if (info.loopback) continue;
    for (const IpAddress& ip : info.addresses) {
      terms.push_back(absl::StrCat(ip.family == 4 ? "ip host " : "ip6 host ", ip.ToString()));
    }
  }
  if (terms.empty()) return "tcp";
  return absl::StrCat("tcp and ( ", absl::StrJoin(terms, " or "), ")");
}

std::vector<IpAddress> AllAddresses(const std::vector<InterfaceInfo>& all) {
  std::vector<IpAddress> out;
  for (const InterfaceInfo& info : all) {
    out.insert(out.end(), info.addresses.begin(), info.addresses.end());
  }
  return out;
}

}  // namespace mlab::packet_headers
