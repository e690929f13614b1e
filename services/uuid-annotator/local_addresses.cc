#include "services/uuid-annotator/local_addresses.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace mlab::uuid_annotator {
namespace {

Direction Match(const std::vector<IpAddress>& locals, const std::optional<IpAddress>& src,
                const std::optional<IpAddress>& dst) {
  for (const IpAddress& local : locals) {
    if (src && *src == local) return Direction::kSrcIsServer;
    if (dst && *dst == local) return Direction::kDstIsServer;
  }
  return Direction::kUnknown;
}

}  // namespace

Direction FindDirection(const std::vector<IpAddress>& locals, const std::vector<IpAddress>& extra,
                        const std::optional<IpAddress>& src, const std::optional<IpAddress>& dst) {
  Direction d = Match(locals, src, dst);
  return d != Direction::kUnknown ? d : Match(extra, src, dst);
}

absl::StatusOr<std::vector<IpAddress>> ReadInterfaceAddresses() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) {
    return absl::InternalError(absl::StrCat("getifaddrs: ", strerror(errno)));
  }
  std::vector<IpAddress> out;
  for (ifaddrs* it = list; it != nullptr; it = it->ifa_next) {
    if (it->ifa_addr == nullptr) continue;
    if (it->ifa_addr->sa_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(it->ifa_addr);
      out.push_back(IpAddress::V4(ntohl(sin->sin_addr.s_addr)));
    } else if (it->ifa_addr->sa_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(it->ifa_addr);
      std::array<uint8_t, 16> bytes;
      memcpy(bytes.data(), &sin6->sin6_addr, 16);
      // Normalised like event addresses, so a v4-mapped form compares equal to IPv4.
      std::optional<IpAddress> ip = IpAddress::Parse(IpAddress::V6(bytes).ToString());
      if (ip) out.push_back(*ip);
    }
  }
  freeifaddrs(list);
  return out;
}

LocalAddresses::LocalAddresses(Reader reader, absl::Duration min_refresh)
    : reader_(std::move(reader)), min_refresh_(min_refresh) {}

absl::Status LocalAddresses::Refresh() {
  absl::StatusOr<std::vector<IpAddress>> fresh = reader_();
  absl::MutexLock lock(&mu_);
  last_refresh_ = absl::Now();
  if (!fresh.ok()) return fresh.status();
  addresses_ = *std::move(fresh);
  return absl::OkStatus();
}

Direction LocalAddresses::Find(const std::optional<IpAddress>& src,
                               const std::optional<IpAddress>& dst,
                               const std::vector<IpAddress>& extra) {
  {
    absl::ReaderMutexLock lock(&mu_);
    Direction d = FindDirection(addresses_, extra, src, dst);
    if (d != Direction::kUnknown || absl::Now() - last_refresh_ < min_refresh_) return d;
  }
  if (absl::Status status = Refresh(); !status.ok()) {
    LOG(WARNING) << "could not re-read local addresses: " << status;
  }
  absl::ReaderMutexLock lock(&mu_);
  return FindDirection(addresses_, extra, src, dst);
}

std::vector<IpAddress> LocalAddresses::addresses() const {
  absl::ReaderMutexLock lock(&mu_);
  return addresses_;
}

}  // namespace mlab::uuid_annotator
