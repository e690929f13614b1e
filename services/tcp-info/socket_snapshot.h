#ifndef MLAB_SERVICES_TCP_INFO_SOCKET_SNAPSHOT_H_
#define MLAB_SERVICES_TCP_INFO_SOCKET_SNAPSHOT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mlab::tcpinfo {

// Size of struct inet_diag_msg, the blob archived verbatim as RawIDM.
inline constexpr size_t kInetDiagMsgSize = 72;

// Netlink message type of sock_diag requests and replies (SOCK_DIAG_BY_FAMILY).
inline constexpr uint16_t kSockDiagByFamily = 20;

// Highest attribute type an archival record can hold: upstream sizes its array from twice its
// (stale) INET_DIAG_MAX of 19, and ETL expects types at their kernel index.
inline constexpr int kMaxArchivedAttributeType = 38;

// inet_diag attribute types used here (uapi linux/inet_diag.h).
inline constexpr int kAttrMemInfo = 1;
inline constexpr int kAttrInfo = 2;  // struct tcp_info, any length the kernel chooses
inline constexpr int kAttrCong = 4;

// Byte offsets inside inet_diag_msg.
inline constexpr size_t kIdmFamilyOffset = 0;
inline constexpr size_t kIdmStateOffset = 1;
inline constexpr size_t kIdmSportOffset = 4;
inline constexpr size_t kIdmDportOffset = 6;
inline constexpr size_t kIdmSrcOffset = 8;
inline constexpr size_t kIdmDstOffset = 24;
inline constexpr size_t kIdmInterfaceOffset = 40;
inline constexpr size_t kIdmCookieOffset = 44;

// The bytes of one netlink dump (or test file), shared by every snapshot parsed from it so that
// parsing a message costs no allocation and a snapshot stays valid after the next dump.
using DumpBytes = std::shared_ptr<const std::string>;

// One socket as one SOCK_DIAG_BY_FAMILY message described it: the raw inet_diag_msg and the raw
// payload of each attribute, indexed by attribute type, at the length the kernel sent.
class SocketSnapshot {
 public:
  SocketSnapshot() = default;

  // Parses the netlink message (header included) that starts at `offset` in `bytes`. Fails on a
  // truncated message, a type other than SOCK_DIAG_BY_FAMILY, a payload shorter than
  // inet_diag_msg or a malformed attribute. Attribute types above kMaxArchivedAttributeType are
  // dropped and a repeated type keeps its last payload, as upstream does.
  static absl::StatusOr<SocketSnapshot> Parse(DumpBytes bytes, size_t offset);

  // The 72 bytes of inet_diag_msg.
  absl::string_view raw_idm() const {
    return absl::string_view(bytes_->data() + idm_offset_, kInetDiagMsgSize);
  }

  // The payload of attribute `type`, or nullopt when the message did not carry it.
  std::optional<absl::string_view> attribute(int type) const {
    if (type < 0 || type > kMaxArchivedAttributeType || attributes_[type].offset == 0) {
      return std::nullopt;
    }
    return absl::string_view(bytes_->data() + attributes_[type].offset, attributes_[type].length);
  }

  // Entries of the archived Attributes array: highest type present + 1, and 1 when none is.
  int attribute_slots() const { return max_type_ + 1 < 1 ? 1 : max_type_ + 1; }

  uint8_t family() const { return Byte(kIdmFamilyOffset); }
  uint8_t state() const { return Byte(kIdmStateOffset); }
  // The kernel socket cookie: two host-order u32 halves, low half first.
  uint64_t cookie() const;

  // When the dump that produced this snapshot finished (UTC).
  absl::Time timestamp() const { return timestamp_; }
  void set_timestamp(absl::Time t) { timestamp_ = t; }

 private:
  struct AttributeRef {
    uint32_t offset = 0;  // 0 = absent (an attribute never starts a buffer)
    uint32_t length = 0;
  };

  uint8_t Byte(size_t offset) const {
    return static_cast<uint8_t>((*bytes_)[idm_offset_ + offset]);
  }

  DumpBytes bytes_;
  uint32_t idm_offset_ = 0;
  int max_type_ = -1;
  std::array<AttributeRef, kMaxArchivedAttributeType + 1> attributes_{};
  absl::Time timestamp_;
};

// Parses every SOCK_DIAG_BY_FAMILY message of a buffer of concatenated netlink messages (e.g.
// upstream's raw test dump); other message types are skipped.
absl::StatusOr<std::vector<SocketSnapshot>> ParseSockDiagMessages(DumpBytes bytes);

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_SOCKET_SNAPSHOT_H_
