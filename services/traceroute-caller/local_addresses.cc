#include "services/traceroute-caller/local_addresses.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace mlab::trc {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.good()) return absl::NotFoundError(absl::StrCat("unable to read file ", path));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

absl::StatusOr<std::vector<IpAddress>> LocalAddresses(const std::string& metadata_dir) {
  std::vector<IpAddress> local;
  ifaddrs* addrs = nullptr;
  if (getifaddrs(&addrs) != 0) return absl::ErrnoToStatus(errno, "getifaddrs");
  for (ifaddrs* a = addrs; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr) continue;
    std::array<uint8_t, 16> bytes{};
    if (a->ifa_addr->sa_family == AF_INET) {
      bytes[10] = bytes[11] = 0xff;
      std::memcpy(bytes.data() + 12, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, 4);
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      std::memcpy(bytes.data(), &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr, 16);
    } else {
      continue;
    }
    local.push_back(IpAddress::FromBytes(bytes));
  }
  freeifaddrs(addrs);

  struct stat st;
  std::string flag = metadata_dir + "/loadbalanced";
  if (stat(flag.c_str(), &st) != 0) return local;
  absl::StatusOr<std::string> lb = ReadFile(flag);
  if (!lb.ok()) return lb.status();
  if (absl::StripAsciiWhitespace(*lb) == "false") return local;
  for (const char* name : {"external-ip", "external-ipv6"}) {
    std::string path = absl::StrCat(metadata_dir, "/", name);
    absl::StatusOr<std::string> text = ReadFile(path);
    if (!text.ok()) return text.status();
    std::string value(absl::StripAsciiWhitespace(*text));
    std::string address = value.substr(0, value.find('/'));
    std::optional<IpAddress> ip = IpAddress::Parse(address);
    if (!ip.has_value())
      return absl::InvalidArgumentError(absl::StrCat("failed to parse IP: ", value));
    LOG(INFO) << "added load balancer IP " << ip->ToString() << " to the local addresses";
    local.push_back(*ip);
  }
  return local;
}

}  // namespace mlab::trc
