#include "services/traceroute-caller/ip_anonymizer.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mlab::trc {

absl::StatusOr<IpAnonymizer::Method> IpAnonymizer::ParseMethod(absl::string_view name) {
  if (name == "none") return Method::kNone;
  if (name == "netblock") return Method::kNetblock;
  return absl::InvalidArgumentError(absl::StrCat("unknown anonymization method: \"", name, "\""));
}

IpAnonymizer::IpAnonymizer(Method method, std::vector<IpAddress> local_ips)
    : method_(method), local_ips_(std::move(local_ips)) {}

bool IpAnonymizer::IsLocal(const IpAddress& ip) const {
  return std::find(local_ips_.begin(), local_ips_.end(), ip) != local_ips_.end();
}

void IpAnonymizer::Anonymize(IpAddress* ip) const {
  if (method_ == Method::kNone || IsLocal(*ip)) return;
  auto& bytes = ip->mutable_bytes();
  if (ip->IsV4()) {
    bytes[15] = 0;
    return;
  }
  std::fill(bytes.begin() + 6, bytes.end(), 0);
}

bool IpAnonymizer::Contains(const std::optional<IpAddress>& dst,
                            const std::optional<IpAddress>& ip) const {
  if (method_ == Method::kNone) {
    if (!dst.has_value() || !ip.has_value()) return !dst.has_value() && !ip.has_value();
    return *dst == *ip;
  }
  if (!dst.has_value() || !ip.has_value() || IsLocal(*dst)) return false;
  if (dst->IsV4() != ip->IsV4()) return false;
  const auto& a = dst->bytes();
  const auto& b = ip->bytes();
  // IPv4 compares the first 3 bytes of the address (12 + 3 in the mapped form); IPv6 the first 6.
  size_t prefix = dst->IsV4() ? 15 : 6;
  return std::equal(a.begin(), a.begin() + prefix, b.begin());
}

std::optional<IpAddress> IpAnonymizer::AnonymizeDestination(std::string* dst) const {
  std::optional<IpAddress> ip = IpAddress::Parse(*dst);
  if (!ip.has_value()) {
    *dst = "<nil>";
    return std::nullopt;
  }
  Anonymize(&*ip);
  *dst = ip->ToString();
  return ip;
}

void IpAnonymizer::AnonymizeHop(const std::optional<IpAddress>& dst, std::string* addr) const {
  std::optional<IpAddress> ip = IpAddress::Parse(*addr);
  if (!Contains(dst, ip)) return;
  if (!ip.has_value()) {
    *addr = "<nil>";
    return;
  }
  Anonymize(&*ip);
  *addr = ip->ToString();
}

}  // namespace mlab::trc
