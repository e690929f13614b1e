#ifndef MLAB_SERVICES_TCP_INFO_TRAFFIC_METER_H_
#define MLAB_SERVICES_TCP_INFO_TRAFFIC_METER_H_

#include <cstdint>
#include <functional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/tcp-info/flow_observer.h"

namespace mlab::tcpinfo {

// Bytes sent and received by all tracked flows, turned into upstream's per-second send and
// receive rate observations (tcpinfo_send_rate_histogram, tcpinfo_receive_rate_histogram).
// A flow's counters come from tcp_info bytes_sent (offset 200) and bytes_received (128) when its
// tcp_info is long enough; they are kept after it loses tcp_info (FIN_WAIT2) and move to the
// closed total when it closes, so totals never go back.
class TrafficMeter : public FlowObserver {
 public:
  struct Callbacks {
    // Bits transferred since the previous report.
    std::function<void(double bits)> sent;
    std::function<void(double bits)> received;
    // "totalSent < reportedSent", "totalSent-reportedSent exceeds network capacity", and the
    // same for Received: the skipped observations upstream counts as errors.
    std::function<void(absl::string_view kind)> error;
  };

  explicit TrafficMeter(Callbacks callbacks) : callbacks_(std::move(callbacks)) {}

  void OnOpen(const Flow&, const SocketSnapshot&) override {}
  void OnSnapshot(const Flow& flow, const SocketSnapshot& snapshot, SnapshotChange) override;
  void OnClose(const Flow& flow, absl::Time when) override;

  // Reports once per wall-clock second; the first call only sets the baseline.
  void Report(absl::Time now);

  uint64_t total_sent() const;
  uint64_t total_received() const;

 private:
  struct Bytes {
    uint64_t sent = 0;
    uint64_t received = 0;
  };
  void Observe(uint64_t total, uint64_t* reported, double seconds,
               const std::function<void(double)>& sink, absl::string_view name);

  Callbacks callbacks_;
  absl::flat_hash_map<uint64_t, Bytes> live_;
  Bytes closed_;
  Bytes reported_;
  int64_t last_second_ = -1;
};

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_TRAFFIC_METER_H_
