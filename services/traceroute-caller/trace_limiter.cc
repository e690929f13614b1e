#include "services/traceroute-caller/trace_limiter.h"

#include <algorithm>
#include <utility>

#include "services/traceroute-caller/trace_metrics.h"

namespace mlab::trc {

TraceLimiter::TraceLimiter(Options options) : options_(options) {
  int workers = std::max(1, options_.max_concurrent);
  workers_.reserve(workers);
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { Work(); });
}

TraceLimiter::~TraceLimiter() {
  StopAccepting();
  Join();
}

absl::Status TraceLimiter::Submit(Job job) {
  TraceMetrics& metrics = TraceMetrics::Get();
  absl::MutexLock lock(&mu_);
  if (stopping_) {
    metrics.rejected.WithLabels({"scamper", "shutdown"}).Increment();
    return absl::UnavailableError("shutting down");
  }
  if (queue_.size() >= options_.max_queued) {
    metrics.rejected.WithLabels({"scamper", "queue_full"}).Increment();
    return absl::ResourceExhaustedError("trace queue is full");
  }
  queue_.push_back(std::move(job));
  metrics.queued.Increment();
  return absl::OkStatus();
}

void TraceLimiter::StopAccepting() {
  std::deque<Job> abandoned;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    abandoned.swap(queue_);
  }
  TraceMetrics& metrics = TraceMetrics::Get();
  for (Job& job : abandoned) {
    metrics.queued.Decrement();
    metrics.rejected.WithLabels({"scamper", "shutdown"}).Increment();
    if (job.abandon) job.abandon(absl::CancelledError("shutting down before the trace started"));
  }
}

bool TraceLimiter::WaitIdle(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto idle = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return running_ == 0 && queue_.empty(); };
  mu_.AwaitWithDeadline(absl::Condition(&idle), deadline);
  return idle();
}

void TraceLimiter::Join() {
  for (std::thread& t : workers_) {
    if (t.joinable()) t.join();
  }
}

int TraceLimiter::running() const {
  absl::MutexLock lock(&mu_);
  return running_;
}

size_t TraceLimiter::queued() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

int TraceLimiter::peak_running() const {
  absl::MutexLock lock(&mu_);
  return peak_running_;
}

void TraceLimiter::Work() {
  TraceMetrics& metrics = TraceMetrics::Get();
  while (true) {
    Job job;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // Stopping, and nothing left to run.
      job = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
      peak_running_ = std::max(peak_running_, running_);
    }
    metrics.queued.Decrement();
    if (job.run) job.run();
    absl::MutexLock lock(&mu_);
    --running_;
  }
}

}  // namespace mlab::trc
