#include "services/tcp-info/flow_table.h"

#include <utility>

#include "glog/logging.h"
#include "lib/uuid/uuid.h"
#include "services/tcp-info/snapshot_diff.h"

namespace mlab::tcpinfo {

FlowTable::FlowTable(std::string uuid_prefix, const FlowFilter* filter)
    : uuid_prefix_(std::move(uuid_prefix)), filter_(filter) {}

DumpOutcome FlowTable::Apply(const FamilyDump& dump) {
  DumpOutcome outcome;
  const uint64_t apply = ++applies_;
  outcome.sockets = static_cast<int>(dump.sockets.size());
  for (const SocketSnapshot& snapshot : dump.sockets) {
    const uint64_t cookie = snapshot.cookie();
    if (cookie == 0 || (filter_ != nullptr && filter_->Excludes(snapshot))) {
      ++outcome.excluded;
      continue;
    }
    if (!destroyed_.empty()) {
      if (auto tombstone = destroyed_.find(cookie); tombstone != destroyed_.end()) {
        tombstone->second.seen_in = apply;
        ++outcome.destroyed;
        continue;
      }
    }
    auto [it, inserted] = flows_.try_emplace(cookie);
    Entry& entry = it->second;
    if (inserted) {
      entry.flow.cookie = cookie;
      entry.flow.uuid = uuid::FromCookie(uuid_prefix_, cookie);
      entry.flow.id = DecodeSockId(snapshot.raw_idm());
      entry.flow.first_seen = snapshot.timestamp();
      entry.last = snapshot;
      entry.seen_in = apply;
      ++outcome.opened;
      ++outcome.changed;
      for (FlowObserver* observer : observers_) observer->OnOpen(entry.flow, snapshot);
      for (FlowObserver* observer : observers_) {
        observer->OnSnapshot(entry.flow, snapshot, SnapshotChange::kPreviousWasNil);
      }
      continue;
    }
    if (entry.seen_in == apply) {  // dumps are not atomic: a socket can be listed twice
      ++outcome.duplicates;
      continue;
    }
    entry.seen_in = apply;
    const SnapshotChange change = DiffSnapshots(&entry.last, snapshot);
    entry.last = snapshot;
    if (change != SnapshotChange::kNone) {
      ++outcome.changed;
      for (FlowObserver* observer : observers_) {
        observer->OnSnapshot(entry.flow, snapshot, change);
      }
    }
  }

  closing_.clear();
  for (const auto& [cookie, entry] : flows_) {
    if (entry.flow.id.family == dump.family && entry.seen_in != apply) closing_.push_back(cookie);
  }
  for (uint64_t cookie : closing_) {
    auto it = flows_.find(cookie);
    Close(it->second, dump.timestamp);
    flows_.erase(it);
  }
  outcome.closed = static_cast<int>(closing_.size());
  // A destroyed cookie no longer listed is gone for good.
  for (auto it = destroyed_.begin(); it != destroyed_.end();) {
    auto current = it++;
    if (current->second.family == dump.family && current->second.seen_in != apply) {
      destroyed_.erase(current);
    }
  }
  return outcome;
}

bool FlowTable::ApplyDestroyed(const SocketSnapshot& final_snapshot) {
  auto it = flows_.find(final_snapshot.cookie());
  if (it == flows_.end()) return false;
  Entry& entry = it->second;
  const SnapshotChange change = DiffSnapshots(&entry.last, final_snapshot);
  if (change != SnapshotChange::kNone) {
    for (FlowObserver* observer : observers_) {
      observer->OnSnapshot(entry.flow, final_snapshot, change);
    }
  }
  Close(entry, final_snapshot.timestamp());
  destroyed_[it->first] = Tombstone{entry.flow.id.family, applies_};
  flows_.erase(it);
  return true;
}

void FlowTable::Close(Entry& entry, absl::Time when) {
  for (FlowObserver* observer : observers_) observer->OnClose(entry.flow, when);
}

}  // namespace mlab::tcpinfo
