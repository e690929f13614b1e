// The bounded queue of events waiting to be sent to one subscriber.
#ifndef MLAB_LIB_EVENTS_SUBSCRIPTION_H_
#define MLAB_LIB_EVENTS_SUBSCRIPTION_H_

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/events/flow_event.h"

namespace mlab::events {

// One subscriber's queue: the replay it was created with, then live events up to a bound.
//
// Thread-safe. The publisher pushes (never waiting), one stream thread takes. Once ended (by
// overflow or End()), the queue is emptied and every later Take returns the end status.
class Subscription {
 public:
  enum class PushResult {
    kQueued,
    // The live queue was full: the subscription has just ended with RESOURCE_EXHAUSTED.
    kOverflow,
    // The subscription had already ended; the event was discarded.
    kEnded,
  };

  // `replay` is always queued in full; at most `live_capacity` (at least 1) live events wait
  // behind it.
  Subscription(std::string name, std::vector<FlowEventPtr> replay, size_t live_capacity);

  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // Queues a live event, or ends the subscription when `live_capacity` live events are waiting.
  PushResult Push(FlowEventPtr event);

  // Ends the subscription with `status` (not OK); the first end wins. Discards queued events.
  void End(absl::Status status);

  // Appends every queued event to `out`, first waiting up to `timeout` while the queue is empty.
  // Returns the end status once the subscription has ended, OK otherwise (possibly with nothing).
  absl::Status Take(absl::Duration timeout, std::vector<FlowEventPtr>* out);

  // Runs `on_end` with the end status when the subscription ends from now on (it runs at most
  // once, on the ending thread, with the queue's lock held, so it must be quick and must not
  // call back into this Subscription). The stream uses it to abort a Write blocked on the peer.
  void SetOnEnd(std::function<void(const absl::Status&)> on_end);

  // Forgets the callback; once this returns, it is not running and will never run.
  void ClearOnEnd();

  // OK while the subscription lives, then the status it ended with.
  absl::Status status() const;

  const std::string& name() const { return name_; }

 private:
  void EndLocked(absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string name_;
  const size_t live_capacity_;

  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  std::vector<FlowEventPtr> queue_ ABSL_GUARDED_BY(mu_);
  // How many of the events at the front of queue_ are the replay (they do not count as live).
  size_t replay_queued_ ABSL_GUARDED_BY(mu_);
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  std::function<void(const absl::Status&)> on_end_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mlab::events

#endif  // MLAB_LIB_EVENTS_SUBSCRIPTION_H_
