// The publishing side of FlowEvents: tcp-info reports flows here; subscribers get replay + live.
#ifndef MLAB_LIB_EVENTS_PUBLISHER_H_
#define MLAB_LIB_EVENTS_PUBLISHER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/events/flow_event.h"
#include "lib/events/subscription.h"
#include "proto/events.pb.h"

namespace mlab::events {

// Counters for the service's /metrics; a consistent-enough snapshot, each field read atomically.
struct PublisherStats {
  int64_t subscribers_current = 0;
  int64_t subscribers_accepted_total = 0;
  // Disconnected because their live queue overflowed (they fell behind).
  int64_t subscribers_dropped_total = 0;
  // Refused because max_subscribers were already connected.
  int64_t subscribers_rejected_total = 0;
  int64_t opens_published_total = 0;
  int64_t closes_published_total = 0;
  // Events written to subscriber streams, replayed ones and REPLAY_COMPLETE included.
  int64_t events_sent_total = 0;
  int64_t open_flows = 0;
};

// Keeps the set of open flows and fans every event out to the subscribers' bounded queues.
//
// Thread-safe. Publishing never waits for a subscriber: it holds one mutex only while updating
// the open-flow map and pushing onto in-memory queues. A subscriber whose queue is full is ended
// with RESOURCE_EXHAUSTED and counted; the others are unaffected.
class FlowEventPublisher {
 public:
  struct Options {
    // Live events that may wait for one subscriber (beyond its replay) before it is dropped.
    size_t queue_capacity = 4096;
    // Concurrent subscribers; more are refused with RESOURCE_EXHAUSTED.
    int max_subscribers = 64;
  };

  FlowEventPublisher();
  explicit FlowEventPublisher(Options options);

  FlowEventPublisher(const FlowEventPublisher&) = delete;
  FlowEventPublisher& operator=(const FlowEventPublisher&) = delete;

  // Records the flow as open and sends OPEN to every subscriber. A second OPEN for the same uuid
  // replaces the first (its id is what later replays carry).
  void PublishOpen(absl::Time ts, std::string uuid, SocketID id);

  // Forgets the flow and sends CLOSE to every subscriber (also for a uuid never opened).
  void PublishClose(absl::Time ts, std::string uuid, SocketID id);

  // Publishes an OPEN or CLOSE event as given (its replayed flag is cleared). Other types are
  // rejected with INVALID_ARGUMENT, as is an empty uuid.
  absl::Status Publish(FlowEvent event);

  // Transport side (FlowEventServer): registers a subscriber. Atomically with respect to
  // publishing, its queue starts with an OPEN (replayed=true) per open flow and REPLAY_COMPLETE,
  // unless `skip_replay`; every event published afterwards follows, none before.
  absl::StatusOr<std::shared_ptr<Subscription>> Subscribe(std::string name, bool skip_replay);

  // Transport side: stops feeding `subscription` (idempotent; fine after it was dropped).
  void Unsubscribe(const std::shared_ptr<Subscription>& subscription);

  // Transport side: counts events written to a subscriber's stream.
  void RecordSent(int64_t count) { events_sent_.fetch_add(count, std::memory_order_relaxed); }

  PublisherStats stats() const;

  const Options& options() const { return options_; }

 private:
  void Fanout(const FlowEventPtr& event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;

  mutable absl::Mutex mu_;
  // uuid -> the OPEN event as replayed (replayed=true), prebuilt outside the lock.
  absl::flat_hash_map<std::string, FlowEventPtr> open_flows_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Subscription>> subscriptions_ ABSL_GUARDED_BY(mu_);

  std::atomic<int64_t> accepted_{0};
  std::atomic<int64_t> dropped_{0};
  std::atomic<int64_t> rejected_{0};
  std::atomic<int64_t> opens_{0};
  std::atomic<int64_t> closes_{0};
  std::atomic<int64_t> events_sent_{0};
};

}  // namespace mlab::events

#endif  // MLAB_LIB_EVENTS_PUBLISHER_H_
