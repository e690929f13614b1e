#include "services/tcp-info/socket_snapshot.h"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace mlab::tcpinfo {

uint64_t SocketSnapshot::cookie() const {
  uint32_t halves[2];
  std::memcpy(halves, bytes_->data() + idm_offset_ + kIdmCookieOffset, sizeof(halves));
  return static_cast<uint64_t>(halves[0]) | static_cast<uint64_t>(halves[1]) << 32;
}

absl::StatusOr<SocketSnapshot> SocketSnapshot::Parse(DumpBytes bytes, size_t offset) {
  if (bytes == nullptr || offset > bytes->size()) {
    return absl::InvalidArgumentError("netlink message offset out of range");
  }
  const size_t available = bytes->size() - offset;
  if (available < sizeof(nlmsghdr)) {
    return absl::DataLossError("truncated netlink header");
  }
  nlmsghdr header;
  std::memcpy(&header, bytes->data() + offset, sizeof(header));
  if (header.nlmsg_len < sizeof(nlmsghdr) || header.nlmsg_len > available) {
    return absl::DataLossError(
        absl::StrCat("netlink message length ", header.nlmsg_len, " with ", available, " left"));
  }
  if (header.nlmsg_type != kSockDiagByFamily) {
    return absl::InvalidArgumentError(
        absl::StrCat("netlink message type ", header.nlmsg_type, " is not SOCK_DIAG_BY_FAMILY"));
  }
  const size_t payload = offset + MNL_NLMSG_HDRLEN;
  const size_t end = offset + header.nlmsg_len;
  if (end < payload + kInetDiagMsgSize) {
    return absl::DataLossError(
        absl::StrCat("sock_diag message of ", header.nlmsg_len, " bytes has no inet_diag_msg"));
  }

  SocketSnapshot snapshot;
  snapshot.idm_offset_ = static_cast<uint32_t>(payload);
  // Attributes follow inet_diag_msg at the next 4-byte boundary (72 is already aligned).
  size_t cursor = payload + MNL_ALIGN(kInetDiagMsgSize);
  while (cursor + sizeof(nlattr) <= end) {
    nlattr attr;
    std::memcpy(&attr, bytes->data() + cursor, sizeof(attr));
    if (attr.nla_len < sizeof(nlattr) || cursor + attr.nla_len > end) {
      return absl::DataLossError(absl::StrCat("malformed attribute of length ", attr.nla_len,
                                              " at byte ", cursor - offset));
    }
    const int type = attr.nla_type;  // inet_diag never sets the nested/byte-order flag bits
    if (type > kMaxArchivedAttributeType) {
      LOG_EVERY_N(WARNING, 1000) << "dropping inet_diag attribute of type " << type;
    } else {
      if (snapshot.attributes_[type].offset != 0) {
        LOG_EVERY_N(WARNING, 1000) << "repeated inet_diag attribute " << type << "; last wins";
      }
      snapshot.attributes_[type] = {static_cast<uint32_t>(cursor + sizeof(nlattr)),
                                    static_cast<uint32_t>(attr.nla_len - sizeof(nlattr))};
      if (type > snapshot.max_type_) snapshot.max_type_ = type;
    }
    cursor += MNL_ALIGN(attr.nla_len);
  }
  snapshot.bytes_ = std::move(bytes);
  return snapshot;
}

absl::StatusOr<std::vector<SocketSnapshot>> ParseSockDiagMessages(DumpBytes bytes) {
  std::vector<SocketSnapshot> snapshots;
  size_t offset = 0;
  while (offset + sizeof(nlmsghdr) <= bytes->size()) {
    nlmsghdr header;
    std::memcpy(&header, bytes->data() + offset, sizeof(header));
    if (header.nlmsg_len < sizeof(nlmsghdr) || header.nlmsg_len > bytes->size() - offset) {
      return absl::DataLossError(absl::StrCat("bad netlink message length at byte ", offset));
    }
    if (header.nlmsg_type == kSockDiagByFamily) {
      absl::StatusOr<SocketSnapshot> snapshot = SocketSnapshot::Parse(bytes, offset);
      if (!snapshot.ok()) return snapshot.status();
      snapshots.push_back(*std::move(snapshot));
    }
    offset += MNL_ALIGN(header.nlmsg_len);
  }
  if (offset < bytes->size()) {
    return absl::DataLossError(absl::StrCat(bytes->size() - offset, " trailing bytes"));
  }
  return snapshots;
}

}  // namespace mlab::tcpinfo
