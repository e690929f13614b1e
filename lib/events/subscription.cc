#include "lib/events/subscription.h"

#include <algorithm>
#include <utility>

namespace mlab::events {

Subscription::Subscription(std::string name, std::vector<FlowEventPtr> replay, size_t live_capacity)
    : name_(std::move(name)),
      live_capacity_(std::max<size_t>(live_capacity, 1)),
      queue_(std::move(replay)),
      replay_queued_(queue_.size()) {}

Subscription::PushResult Subscription::Push(FlowEventPtr event) {
  absl::MutexLock lock(&mu_);
  if (!status_.ok()) return PushResult::kEnded;
  if (queue_.size() - replay_queued_ >= live_capacity_) {
    EndLocked(absl::ResourceExhaustedError("subscriber fell behind: more than " +
                                           std::to_string(live_capacity_) +
                                           " events waiting; reconnect to receive the replay"));
    return PushResult::kOverflow;
  }
  const bool was_empty = queue_.empty();
  queue_.push_back(std::move(event));
  // Only an empty queue can have a waiting taker.
  if (was_empty) cv_.Signal();
  return PushResult::kQueued;
}

void Subscription::End(absl::Status status) {
  absl::MutexLock lock(&mu_);
  if (status_.ok()) EndLocked(std::move(status));
}

void Subscription::EndLocked(absl::Status status) {
  status_ = status.ok() ? absl::UnknownError("subscription ended") : std::move(status);
  queue_.clear();
  replay_queued_ = 0;
  cv_.SignalAll();
  if (on_end_) {
    auto on_end = std::move(on_end_);
    on_end_ = nullptr;
    on_end(status_);
  }
}

absl::Status Subscription::Take(absl::Duration timeout, std::vector<FlowEventPtr>* out) {
  absl::MutexLock lock(&mu_);
  const absl::Time deadline = absl::Now() + timeout;
  while (status_.ok() && queue_.empty()) {
    if (cv_.WaitWithDeadline(&mu_, deadline)) break;
  }
  if (!status_.ok()) return status_;
  if (out->empty()) {
    // O(1) under the lock the publisher also takes; the caller's old buffer is reused.
    out->swap(queue_);
  } else {
    out->insert(out->end(), std::make_move_iterator(queue_.begin()),
                std::make_move_iterator(queue_.end()));
  }
  queue_.clear();
  replay_queued_ = 0;
  return absl::OkStatus();
}

void Subscription::SetOnEnd(std::function<void(const absl::Status&)> on_end) {
  absl::MutexLock lock(&mu_);
  if (status_.ok()) on_end_ = std::move(on_end);
}

void Subscription::ClearOnEnd() {
  absl::MutexLock lock(&mu_);
  on_end_ = nullptr;
}

absl::Status Subscription::status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

}  // namespace mlab::events
