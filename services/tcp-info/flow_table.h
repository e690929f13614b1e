#ifndef MLAB_SERVICES_TCP_INFO_FLOW_TABLE_H_
#define MLAB_SERVICES_TCP_INFO_FLOW_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/tcp-info/flow_filter.h"
#include "services/tcp-info/flow_observer.h"
#include "services/tcp-info/sock_diag_collector.h"
#include "services/tcp-info/socket_snapshot.h"

namespace mlab::tcpinfo {

// What one applied dump changed.
struct DumpOutcome {
  int sockets = 0;     // in the dump
  int excluded = 0;    // by the FlowFilter (including cookie 0)
  int duplicates = 0;  // a cookie listed twice in one dump (kept once)
  int opened = 0;
  int changed = 0;  // snapshots passed on (opened flows included)
  int closed = 0;
  int destroyed = 0;  // listed although a destroy notification closed them (timewait leftovers)
};

// The flows of the current polls, keyed by socket cookie, and the rules that turn consecutive
// dumps into Open, snapshot and Close notifications:
//  - a non-excluded cookie not tracked yet opens a flow, and its first snapshot is passed on;
//  - a tracked flow passes on a snapshot whenever DiffSnapshots sees a change;
//  - a flow closes when a *successful* dump of its address family no longer lists it. A failed
//    dump is simply never applied, so its family's flows stay as they were: no spurious
//    Close/Open pair, no restarted archive.
// Single-threaded: the poller owns it.
class FlowTable {
 public:
  FlowTable(std::string uuid_prefix, const FlowFilter* filter);

  // Observers are told in the order they were added.
  void AddObserver(FlowObserver* observer) { observers_.push_back(observer); }

  DumpOutcome Apply(const FamilyDump& dump);

  // A flow the kernel reported destroyed (sock_diag destroy group): its final snapshot is
  // passed on if it changed, then it closes at once. Unknown cookies are ignored. The cookie
  // stays closed while dumps still list it (a FIN_WAIT2 timewait socket keeps the cookie of the
  // socket it replaced), so it cannot reopen. Notifications must be applied after every dump
  // that started before they were received. Returns true if a tracked flow closed.
  bool ApplyDestroyed(const SocketSnapshot& final_snapshot);

  size_t size() const { return flows_.size(); }
  bool contains(uint64_t cookie) const { return flows_.contains(cookie); }
  const std::string& uuid_prefix() const { return uuid_prefix_; }

 private:
  struct Tombstone {
    uint8_t family = 0;
    uint64_t seen_in = 0;
  };
  struct Entry {
    Flow flow;
    SocketSnapshot last;
    uint64_t seen_in = 0;  // the Apply call that last listed it
  };

  void Close(Entry& entry, absl::Time when);

  const std::string uuid_prefix_;
  const FlowFilter* const filter_;
  std::vector<FlowObserver*> observers_;
  absl::flat_hash_map<uint64_t, Entry> flows_;
  absl::flat_hash_map<uint64_t, Tombstone> destroyed_;
  uint64_t applies_ = 0;
  std::vector<uint64_t> closing_;  // reused scratch
};

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_FLOW_TABLE_H_
