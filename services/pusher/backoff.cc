#include "services/pusher/backoff.h"

#include "absl/random/distributions.h"

namespace mlab::pusher {

absl::Duration Backoff::Next(absl::BitGenRef gen) {
  current_ = current_ == absl::ZeroDuration() ? initial_ : current_ * 2;
  if (current_ < max_) return current_;
  at_max_ = true;
  current_ = max_;
  double half = absl::ToDoubleSeconds(max_) / 2;
  return absl::Seconds(absl::Uniform<double>(gen, half, 2 * half));
}

}  // namespace mlab::pusher
