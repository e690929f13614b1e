#ifndef MLAB_SERVICES_TCP_INFO_POLLER_H_
#define MLAB_SERVICES_TCP_INFO_POLLER_H_

#include <atomic>
#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/tcp-info/destroy_listener.h"
#include "services/tcp-info/flow_table.h"
#include "services/tcp-info/sock_diag_collector.h"

namespace mlab::tcpinfo {

// The polling loop: every interval, dumps IPv6 then IPv4 sockets and applies each successful
// dump to the flow table (a failed one is counted and skipped, its flows kept), then runs the
// after_poll hook (archive rotation and flushing, traffic report). Between polls it applies kernel
// destroy notifications as they arrive. A poll that overruns its interval delays the next one;
// missed ticks are skipped, not bunched up.
class Poller {
 public:
  struct Options {
    absl::Duration interval = absl::Milliseconds(10);
    int64_t reps = 0;  // polls before Run returns; 0 = until Stop
    // Called after each poll with the time it ended.
    std::function<void(absl::Time)> after_poll;
  };

  // `destroy` is optional (null).
  Poller(SockDiagCollector* collector, FlowTable* table, DestroyListener* destroy, Options options);
  ~Poller();

  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // Polls until Stop() or `reps` polls.
  absl::Status Run();
  // Makes Run return after the current poll; callable from any thread and signal handlers.
  void Stop();

  // One poll, now.
  void PollOnce();

  int64_t polls() const { return polls_.load(std::memory_order_relaxed); }

 private:
  // Waits until `deadline`, applying destroy notifications; false once stopped.
  bool WaitUntil(absl::Time deadline);
  void ApplyDestroyNotifications();

  SockDiagCollector* const collector_;
  FlowTable* const table_;
  DestroyListener* const destroy_;
  const Options options_;
  int stop_fd_ = -1;
  std::atomic<bool> stopped_{false};
  std::atomic<int64_t> polls_{0};
  absl::Time last_start_ = absl::InfinitePast();
};

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_POLLER_H_
