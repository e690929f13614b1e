#ifndef MLAB_SERVICES_PUSHER_BACKOFF_H_
#define MLAB_SERVICES_PUSHER_BACKOFF_H_

#include "absl/random/bit_gen_ref.h"
#include "absl/random/random.h"
#include "absl/time/time.h"

namespace mlab::pusher {

// Upstream's retry schedule: start at `initial` and double; once the next wait would pass `max`
// it is drawn uniformly from [max/2, max) so retrying nodes spread out. Retries never stop.
class Backoff {
 public:
  Backoff(absl::Duration initial, absl::Duration max) : initial_(initial), max_(max) {}

  // The wait before the next retry.
  absl::Duration Next(absl::BitGenRef gen);
  // True when the last Next() had reached the maximum.
  bool at_max() const { return at_max_; }
  void Reset() {
    current_ = absl::ZeroDuration();
    at_max_ = false;
  }

 private:
  const absl::Duration initial_;
  const absl::Duration max_;
  absl::Duration current_ = absl::ZeroDuration();
  bool at_max_ = false;
};

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_BACKOFF_H_
