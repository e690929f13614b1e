#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_WORK_POOL_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_WORK_POOL_H_

// A few threads that archive finished traces (parse, write, annotate hops), so neither the event
// subscriber nor the scamper slots wait for disks or the Annotator.

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace mlab::trc {

class WorkPool {
 public:
  explicit WorkPool(int threads);
  // Drain().
  ~WorkPool();

  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Runs `work` on a pool thread, in FIFO order. After Drain() it runs on the caller instead.
  void Schedule(std::function<void()> work);

  // Runs everything scheduled so far to completion and stops the threads. Idempotent.
  void Drain();

  // Scheduled and not yet finished.
  size_t pending() const;

 private:
  void Work();

  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  int busy_ ABSL_GUARDED_BY(mu_) = 0;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_WORK_POOL_H_
