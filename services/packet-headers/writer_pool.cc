#include "services/packet-headers/writer_pool.h"

#include <utility>

namespace mlab::packet_headers {

WriterPool::WriterPool(int threads) : thread_count_(threads) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

WriterPool::~WriterPool() { Stop(); }

void WriterPool::Schedule(std::function<void()> task) {
  {
    absl::MutexLock lock(&mu_);
    if (thread_count_ > 0 && !stopping_) {
      tasks_.push_back(std::move(task));
      return;
    }
  }
  task();
}

void WriterPool::Loop() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WriterPool* p)
               ABSL_NO_THREAD_SAFETY_ANALYSIS { return !p->tasks_.empty() || p->stopping_; },
          this));
      if (tasks_.empty()) return;  // stopping, and everything queued has run
      task = std::move(tasks_.front());
      tasks_.pop_front();
      ++running_;
    }
    task();
    task = nullptr;  // captured state goes before WaitIdle can return
    absl::MutexLock lock(&mu_);
    --running_;
  }
}

void WriterPool::WaitIdle() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](WriterPool* p)
           ABSL_NO_THREAD_SAFETY_ANALYSIS { return p->tasks_.empty() && p->running_ == 0; },
      this));
}

void WriterPool::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

int64_t WriterPool::queued() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int64_t>(tasks_.size());
}

}  // namespace mlab::packet_headers
