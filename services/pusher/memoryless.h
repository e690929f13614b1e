#ifndef MLAB_SERVICES_PUSHER_MEMORYLESS_H_
#define MLAB_SERVICES_PUSHER_MEMORYLESS_H_

#include "absl/random/bit_gen_ref.h"
#include "absl/random/random.h"
#include "absl/time/time.h"

namespace mlab::pusher {

// Exponentially distributed waits with mean `expected`, clamped to [min, max] (m-lab/go
// memoryless): nodes that start together do not upload or sweep in lockstep.
struct MemorylessDelay {
  absl::Duration min = absl::ZeroDuration();
  absl::Duration expected = absl::Hours(1);
  absl::Duration max = absl::ZeroDuration();  // Zero: no upper bound.

  absl::Duration Next(absl::BitGenRef gen) const;
};

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_MEMORYLESS_H_
