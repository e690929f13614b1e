#ifndef MLAB_SERVICES_NDT_SERVER_TX_CONTROLLER_H_
#define MLAB_SERVICES_NDT_SERVER_TX_CONTROLLER_H_

// The transmit-rate admission controller (m-lab/access controller/tx.go): samples a device's
// transmitted bytes every 100 ms and refuses new downloads while the smoothed rate is above
// -txcontroller.max-rate.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace mlab::ndt7 {

// The smoothing: rate = max(now, (1-a)*prev + a*now) with a = period/2 in seconds, so increases
// count at once and decreases fade over a few seconds. Samples closer than half a period to the
// previous one are skipped (a late tick followed by an early one).
class TxRateEstimator {
 public:
  explicit TxRateEstimator(absl::Duration period) : period_(period) {}

  // Starts from `tx_bytes` read at `now`.
  void Start(absl::Time now, uint64_t tx_bytes);
  // Folds in a sample; returns the current estimate in bit/s.
  double Update(absl::Time now, uint64_t tx_bytes);
  double rate() const { return rate_; }

 private:
  absl::Duration period_;
  absl::Time prev_time_;
  uint64_t prev_bytes_ = 0;
  double rate_ = 0;
};

// TxBytes of `device` in a /proc/net/dev-format file.
absl::StatusOr<uint64_t> ReadNetDevTxBytes(const std::string& path, const std::string& device);

class TxController {
 public:
  // Fails if the device is not in `net_dev_path` (upstream refuses to start then). With
  // max_rate 0 nothing is sampled and nothing refused.
  static absl::StatusOr<std::unique_ptr<TxController>> Create(
      std::string device, uint64_t max_rate_bps, std::string net_dev_path = "/proc/net/dev",
      absl::Duration period = absl::Milliseconds(100));
  ~TxController();

  // Whether a new download must be refused now (monitoring tokens are never refused). Counts
  // the decision in controller_access_txcontroller_requests_total{request, protocol="http"}.
  bool IsLimited(bool monitoring);

  uint64_t current_bps() const { return current_.load(std::memory_order_relaxed); }
  uint64_t limit_bps() const { return limit_; }

 private:
  TxController(std::string device, uint64_t limit, std::string path, absl::Duration period,
               absl::Time start, uint64_t start_bytes);
  void Watch(absl::Time start, uint64_t start_bytes);

  const std::string device_;
  const uint64_t limit_;
  const std::string path_;
  const absl::Duration period_;
  std::atomic<uint64_t> current_{0};
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_TX_CONTROLLER_H_
