#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_TRACE_LIMITER_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_TRACE_LIMITER_H_

// Admission control for scamper (upstream has none, issue #109): at most max_concurrent traces
// run at once; the rest wait in FIFO order, up to max_queued, and beyond that are refused.

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mlab::trc {

class TraceLimiter {
 public:
  struct Options {
    int max_concurrent = 50;
    size_t max_queued = 10000;
  };

  // A unit of work: `run` on a worker, or `abandon` (with the reason) if it never gets to run.
  struct Job {
    std::function<void()> run;
    std::function<void(const absl::Status&)> abandon;
  };

  explicit TraceLimiter(Options options);
  // StopAccepting() and Join().
  ~TraceLimiter();

  TraceLimiter(const TraceLimiter&) = delete;
  TraceLimiter& operator=(const TraceLimiter&) = delete;

  // Queues `job`. ResourceExhausted when the queue is full, Unavailable after StopAccepting; the
  // job is then dropped without calling either function.
  absl::Status Submit(Job job);

  // Refuses new jobs and abandons the queued ones (Cancelled); running jobs go on. Idempotent.
  void StopAccepting();

  // Waits until no job runs, or until `deadline`; true when idle.
  bool WaitIdle(absl::Time deadline);

  // Waits for the running jobs and stops the workers; call after StopAccepting.
  void Join();

  int running() const;
  size_t queued() const;
  // The most jobs that ever ran at once.
  int peak_running() const;

 private:
  void Work();

  const Options options_;
  mutable absl::Mutex mu_;
  std::deque<Job> queue_ ABSL_GUARDED_BY(mu_);
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  int peak_running_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_TRACE_LIMITER_H_
