#ifndef MLAB_SERVICES_NDT_SERVER_MEASURER_H_
#define MLAB_SERVICES_NDT_SERVER_MEASURER_H_

// Samples one connection's kernel state into measurement messages (upstream ndt7/measurer).

#include <string>

#include "absl/random/bit_gen_ref.h"
#include "absl/random/random.h"
#include "absl/time/time.h"
#include "services/ndt-server/measurement.h"

namespace mlab::ndt7 {

class Measurer {
 public:
  // Switches the socket to BBR (counted in ndt7_measurer_bbr_enabled_total) and starts the
  // clock: ElapsedTime counts from `start`.
  Measurer(int fd, ConnectionInfo info, absl::Time start);

  // ConnectionInfo, BBRInfo (zeros unless BBR runs) and TCPInfo (absent only if TCP_INFO
  // cannot be read), all stamped with the same ElapsedTime.
  Measurement Measure(absl::Time now) const;

  absl::Time start() const { return start_; }
  bool bbr_enabled() const { return bbr_enabled_; }

 private:
  int fd_;
  ConnectionInfo info_;
  absl::Time start_;
  bool bbr_enabled_ = false;
};

// The next wait of upstream's memoryless ticker: exponential with mean 250 ms, clamped to
// [25 ms, 625 ms], so samples are Poisson and cannot be synchronised with by a client.
absl::Duration NextSamplingDelay(absl::BitGenRef gen);

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_MEASURER_H_
