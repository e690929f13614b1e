#ifndef MLAB_SERVICES_TCP_INFO_SNAPSHOT_DIFF_H_
#define MLAB_SERVICES_TCP_INFO_SNAPSHOT_DIFF_H_

#include "absl/strings/string_view.h"
#include "services/tcp-info/socket_snapshot.h"

namespace mlab::tcpinfo {

// Why a snapshot differs from the flow's previous one; anything but kNone is archived.
enum class SnapshotChange {
  kNone,
  kPreviousWasNil,
  kStateChange,    // inet_diag_msg state byte
  kNoTcpInfo,      // either snapshot lacks INET_DIAG_INFO (always archived, as upstream)
  kCounterChange,  // tcp_info bytes [0,44) or [60,168)
  kNewAttribute,
  kLostAttribute,
  kAttributeLength,
  kOther,  // any other attribute's bytes
};

absl::string_view SnapshotChangeName(SnapshotChange change);

// Upstream's change rule, first match wins: state; missing tcp_info; tcp_info[60,168) then
// [0,44); attribute count; then per attribute (tcp_info excluded) presence, length and bytes.
// Ignored: the rest of inet_diag_msg, the last_* fields at [44,60) and tcp_info from busy_time
// (168) on. Ranges are clipped to each tcp_info's length, so short (old kernel) tcp_info is
// compared as far as it goes, and a length difference inside a range counts as a change.
SnapshotChange DiffSnapshots(const SocketSnapshot* previous, const SocketSnapshot& current);

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_SNAPSHOT_DIFF_H_
