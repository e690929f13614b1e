#include "services/tcp-info/flow_filter.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace mlab::tcpinfo {
namespace {

std::vector<absl::string_view> Items(const std::vector<std::string>& values) {
  std::vector<absl::string_view> items;
  for (const std::string& value : values) {
    for (absl::string_view item : absl::StrSplit(value, ',', absl::SkipWhitespace())) {
      items.push_back(absl::StripAsciiWhitespace(item));
    }
  }
  return items;
}

}  // namespace

absl::Status FlowFilter::ExcludeSrcPorts(const std::vector<std::string>& values) {
  for (absl::string_view item : Items(values)) {
    uint32_t port;
    if (!absl::SimpleAtoi(item, &port) || port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("-exclude-srcport: bad port \"", item, "\""));
    }
    src_ports_.set(port);
  }
  return absl::OkStatus();
}

absl::Status FlowFilter::ExcludeDstIps(const std::vector<std::string>& values) {
  for (absl::string_view item : Items(values)) {
    RawAddress address;
    if (!ParseAddress(item, &address)) {
      return absl::InvalidArgumentError(
          absl::StrCat("-exclude-dstip: bad IP address \"", item, "\""));
    }
    dst_ips_.insert(address);
  }
  return absl::OkStatus();
}

bool FlowFilter::Excludes(const SockId& id) const {
  if (src_ports_.test(id.src_port)) return true;
  const RawAddress dst = id.dst_mapped();
  if (exclude_local_ && (IsLocalAddress(dst) || IsLocalAddress(id.src_mapped()))) return true;
  return !dst_ips_.empty() && dst_ips_.contains(dst);
}

bool FlowFilter::Excludes(const SocketSnapshot& snapshot) const {
  return Excludes(DecodeSockId(snapshot.raw_idm()));
}

}  // namespace mlab::tcpinfo
