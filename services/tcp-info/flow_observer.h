#ifndef MLAB_SERVICES_TCP_INFO_FLOW_OBSERVER_H_
#define MLAB_SERVICES_TCP_INFO_FLOW_OBSERVER_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "services/tcp-info/snapshot_diff.h"
#include "services/tcp-info/sock_id.h"
#include "services/tcp-info/socket_snapshot.h"

namespace mlab::tcpinfo {

// A TCP flow tcp-info tracks, identified by its socket cookie.
struct Flow {
  uint64_t cookie = 0;
  std::string uuid;  // <prefix>_<cookie %016X>
  SockId id;
  // Timestamp of the dump that first saw it.
  absl::Time first_seen;
};

// Told what happens to flows, in order, on the polling thread; must not block. For one flow:
// OnOpen, then OnSnapshot for its first snapshot and every change, then OnClose.
class FlowObserver {
 public:
  virtual ~FlowObserver() = default;

  virtual void OnOpen(const Flow& flow, const SocketSnapshot& first) = 0;
  virtual void OnSnapshot(const Flow& flow, const SocketSnapshot& snapshot,
                          SnapshotChange change) = 0;
  // `when`: the dump that no longer listed the flow, or the kernel's destroy notification.
  virtual void OnClose(const Flow& flow, absl::Time when) = 0;
};

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_FLOW_OBSERVER_H_
