#include "services/traceroute-caller/work_pool.h"

#include <algorithm>
#include <utility>

namespace mlab::trc {

WorkPool::WorkPool(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Work(); });
}

WorkPool::~WorkPool() { Drain(); }

void WorkPool::Schedule(std::function<void()> work) {
  {
    absl::MutexLock lock(&mu_);
    if (!draining_) {
      queue_.push_back(std::move(work));
      return;
    }
  }
  work();
}

void WorkPool::Drain() {
  {
    absl::MutexLock lock(&mu_);
    draining_ = true;
  }
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

size_t WorkPool::pending() const {
  absl::MutexLock lock(&mu_);
  return queue_.size() + busy_;
}

void WorkPool::Work() {
  while (true) {
    std::function<void()> work;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_SHARED_LOCKS_REQUIRED(mu_) { return draining_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // Draining and nothing left.
      work = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
    }
    work();
    absl::MutexLock lock(&mu_);
    --busy_;
  }
}

}  // namespace mlab::trc
