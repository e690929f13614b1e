#include "lib/events/publisher.h"

#include <algorithm>
#include <utility>

#include "glog/logging.h"

namespace mlab::events {

FlowEventPublisher::FlowEventPublisher() : FlowEventPublisher(Options()) {}

FlowEventPublisher::FlowEventPublisher(Options options) : options_(options) {}

void FlowEventPublisher::PublishOpen(absl::Time ts, std::string uuid, SocketID id) {
  // Both messages are built before locking so the lock covers only map and queue updates.
  auto live = std::make_shared<FlowEvent>(
      MakeFlowEvent(FlowEvent::OPEN, ts, std::move(uuid), std::move(id)));
  auto replay = std::make_shared<FlowEvent>(*live);
  replay->set_replayed(true);
  opens_.fetch_add(1, std::memory_order_relaxed);
  FlowEventPtr displaced;  // freed after unlocking
  absl::MutexLock lock(&mu_);
  FlowEventPtr& slot = open_flows_[live->uuid()];
  displaced = std::move(slot);
  slot = std::move(replay);
  Fanout(live);
}

void FlowEventPublisher::PublishClose(absl::Time ts, std::string uuid, SocketID id) {
  auto live = std::make_shared<const FlowEvent>(
      MakeFlowEvent(FlowEvent::CLOSE, ts, std::move(uuid), std::move(id)));
  closes_.fetch_add(1, std::memory_order_relaxed);
  absl::MutexLock lock(&mu_);
  open_flows_.erase(live->uuid());
  Fanout(live);
}

absl::Status FlowEventPublisher::Publish(FlowEvent event) {
  if (event.uuid().empty()) return absl::InvalidArgumentError("flow event without uuid");
  const absl::Time ts = EventTime(event);
  switch (event.type()) {
    case FlowEvent::OPEN:
      PublishOpen(ts, std::move(*event.mutable_uuid()), std::move(*event.mutable_id()));
      return absl::OkStatus();
    case FlowEvent::CLOSE:
      PublishClose(ts, std::move(*event.mutable_uuid()), std::move(*event.mutable_id()));
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError("only OPEN and CLOSE events can be published, not type " +
                                        std::to_string(event.type()));
  }
}

void FlowEventPublisher::Fanout(const FlowEventPtr& event) {
  size_t kept = 0;
  for (size_t i = 0; i < subscriptions_.size(); ++i) {
    std::shared_ptr<Subscription>& sub = subscriptions_[i];
    if (sub->Push(event) == Subscription::PushResult::kOverflow) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      LOG(WARNING) << "flow events: dropping subscriber '" << sub->name() << "': more than "
                   << options_.queue_capacity << " events behind";
      continue;
    }
    if (kept != i) subscriptions_[kept] = std::move(sub);
    ++kept;
  }
  subscriptions_.resize(kept);
}

absl::StatusOr<std::shared_ptr<Subscription>> FlowEventPublisher::Subscribe(std::string name,
                                                                            bool skip_replay) {
  // The marker's time is taken before locking; it only says when the replay was cut.
  auto marker = std::make_shared<const FlowEvent>(MakeReplayComplete(absl::Now()));
  std::shared_ptr<Subscription> sub;
  {
    absl::MutexLock lock(&mu_);
    if (subscriptions_.size() >= static_cast<size_t>(std::max(options_.max_subscribers, 0))) {
      rejected_.fetch_add(1, std::memory_order_relaxed);
      return absl::ResourceExhaustedError("too many flow event subscribers (max " +
                                          std::to_string(options_.max_subscribers) + ")");
    }
    std::vector<FlowEventPtr> replay;
    if (!skip_replay) {
      replay.reserve(open_flows_.size() + 1);
      for (const auto& [uuid, open] : open_flows_) replay.push_back(open);
      replay.push_back(std::move(marker));
    }
    sub =
        std::make_shared<Subscription>(std::move(name), std::move(replay), options_.queue_capacity);
    subscriptions_.push_back(sub);
  }
  accepted_.fetch_add(1, std::memory_order_relaxed);
  return sub;
}

void FlowEventPublisher::Unsubscribe(const std::shared_ptr<Subscription>& subscription) {
  absl::MutexLock lock(&mu_);
  auto it = std::find(subscriptions_.begin(), subscriptions_.end(), subscription);
  if (it != subscriptions_.end()) subscriptions_.erase(it);
}

PublisherStats FlowEventPublisher::stats() const {
  PublisherStats stats;
  {
    absl::MutexLock lock(&mu_);
    stats.subscribers_current = static_cast<int64_t>(subscriptions_.size());
    stats.open_flows = static_cast<int64_t>(open_flows_.size());
  }
  stats.subscribers_accepted_total = accepted_.load(std::memory_order_relaxed);
  stats.subscribers_dropped_total = dropped_.load(std::memory_order_relaxed);
  stats.subscribers_rejected_total = rejected_.load(std::memory_order_relaxed);
  stats.opens_published_total = opens_.load(std::memory_order_relaxed);
  stats.closes_published_total = closes_.load(std::memory_order_relaxed);
  stats.events_sent_total = events_sent_.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace mlab::events
