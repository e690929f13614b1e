#include "services/tcp-info/snapshot_diff.h"

#include <algorithm>
#include <optional>

namespace mlab::tcpinfo {
namespace {

// tcp_info offsets: last_data_sent, pmtu, busy_time.
constexpr size_t kLastDataSent = 44;
constexpr size_t kPmtu = 60;
constexpr size_t kBusyTime = 168;

// The bytes [begin, end) of `info`, clipped to its length.
absl::string_view Range(absl::string_view info, size_t begin, size_t end) {
  if (begin >= info.size()) return absl::string_view();
  return info.substr(begin, std::min(end, info.size()) - begin);
}

}  // namespace

absl::string_view SnapshotChangeName(SnapshotChange change) {
  switch (change) {
    case SnapshotChange::kNone:
      return "none";
    case SnapshotChange::kPreviousWasNil:
      return "previous was nil";
    case SnapshotChange::kStateChange:
      return "state";
    case SnapshotChange::kNoTcpInfo:
      return "no tcp_info";
    case SnapshotChange::kCounterChange:
      return "state or counter";
    case SnapshotChange::kNewAttribute:
      return "new attribute";
    case SnapshotChange::kLostAttribute:
      return "lost attribute";
    case SnapshotChange::kAttributeLength:
      return "attribute length";
    case SnapshotChange::kOther:
      return "other";
  }
  return "unknown";
}

SnapshotChange DiffSnapshots(const SocketSnapshot* previous, const SocketSnapshot& current) {
  if (previous == nullptr) return SnapshotChange::kPreviousWasNil;
  if (previous->state() != current.state()) return SnapshotChange::kStateChange;
  const std::optional<absl::string_view> old_info = previous->attribute(kAttrInfo);
  const std::optional<absl::string_view> new_info = current.attribute(kAttrInfo);
  if (!old_info.has_value() || !new_info.has_value()) return SnapshotChange::kNoTcpInfo;
  if (Range(*old_info, kPmtu, kBusyTime) != Range(*new_info, kPmtu, kBusyTime) ||
      Range(*old_info, 0, kLastDataSent) != Range(*new_info, 0, kLastDataSent)) {
    return SnapshotChange::kCounterChange;
  }
  const int old_slots = previous->attribute_slots();
  const int new_slots = current.attribute_slots();
  if (old_slots != new_slots) {
    return new_slots > old_slots ? SnapshotChange::kNewAttribute : SnapshotChange::kLostAttribute;
  }
  for (int type = 0; type < new_slots; ++type) {
    if (type == kAttrInfo) continue;
    const std::optional<absl::string_view> a = previous->attribute(type);
    const std::optional<absl::string_view> b = current.attribute(type);
    if (!a.has_value() && !b.has_value()) continue;
    if (!a.has_value()) return SnapshotChange::kNewAttribute;
    if (!b.has_value()) return SnapshotChange::kLostAttribute;
    if (a->size() != b->size()) return SnapshotChange::kAttributeLength;
    if (*a != *b) return SnapshotChange::kOther;
  }
  return SnapshotChange::kNone;
}

}  // namespace mlab::tcpinfo
