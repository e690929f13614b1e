// The reconnecting FlowEvents client that sidecars use to learn of flows opening and closing.
#ifndef MLAB_LIB_EVENTS_SUBSCRIBER_H_
#define MLAB_LIB_EVENTS_SUBSCRIBER_H_

#include <cstdint>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/events/handler.h"
#include "lib/events/open_flow_tracker.h"

namespace grpc {
class ClientContext;
}  // namespace grpc

namespace mlab::events {

// Subscribes to the FlowEvents socket on its own thread and feeds a FlowEventHandler, reconnecting
// with jittered exponential backoff whenever the stream fails or ends, until Stop().
//
// Each flow is reported open once even across reconnections; see OpenFlowTracker for the rules.
// Handler callbacks run on the subscriber's thread (see FlowEventHandler about slow handlers).
// Start/Stop/stats may be called from any thread; Stop may also be called from a callback, but
// the destructor must not run on the subscriber's thread.
class FlowEventSubscriber {
 public:
  struct Options {
    // Sent to the publisher for its logs.
    std::string client_name;
    // Wait before the first reconnection attempt; doubles (backoff_multiplier) per failed
    // attempt up to max_backoff, and resets once a stream delivered an event.
    absl::Duration initial_backoff = absl::Milliseconds(200);
    absl::Duration max_backoff = absl::Seconds(10);
    double backoff_multiplier = 2.0;
    // Each wait is scaled by a random factor in [1 - jitter, 1 + jitter].
    double jitter = 0.2;
  };

  struct Stats {
    bool connected = false;
    // Streams that delivered at least one event.
    int64_t connections_total = 0;
    // Attempts that ended before any event arrived (e.g. no server listening).
    int64_t connect_failures_total = 0;
    int64_t events_received_total = 0;
    OpenFlowTracker::Counters flows;
  };

  // `socket_path` is a filesystem path or a gRPC target starting with "unix:".
  FlowEventSubscriber(std::string socket_path, FlowEventHandler* handler);
  FlowEventSubscriber(std::string socket_path, FlowEventHandler* handler, Options options);
  ~FlowEventSubscriber();  // Stop()

  FlowEventSubscriber(const FlowEventSubscriber&) = delete;
  FlowEventSubscriber& operator=(const FlowEventSubscriber&) = delete;

  // Starts the subscriber thread. FAILED_PRECONDITION when already started (once per object).
  absl::Status Start();

  // Cancels the stream or the backoff wait and joins the thread (unless called from a callback).
  // No callback starts after Stop returns. Idempotent.
  void Stop();

  Stats stats() const;

 private:
  void Run();
  // One connection attempt; true when it delivered at least one event.
  bool ConnectAndStream();
  // Waits up to `wait` or until Stop; false when stopping.
  bool Sleep(absl::Duration wait);

  const std::string target_;
  FlowEventHandler* const handler_;
  const Options options_;
  OpenFlowTracker tracker_;  // subscriber thread only

  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  Stats stats_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace mlab::events

#endif  // MLAB_LIB_EVENTS_SUBSCRIBER_H_
