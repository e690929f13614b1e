#include "services/pusher/memoryless.h"

#include "absl/random/distributions.h"

namespace mlab::pusher {

absl::Duration MemorylessDelay::Next(absl::BitGenRef gen) const {
  absl::Duration wait = expected;
  if (expected > absl::ZeroDuration()) {
    wait = absl::Seconds(absl::Exponential<double>(gen, 1.0 / absl::ToDoubleSeconds(expected)));
  }
  if (wait < min) wait = min;
  if (max > absl::ZeroDuration() && wait > max) wait = max;
  return wait;
}

}  // namespace mlab::pusher
