#include "lib/events/open_flow_tracker.h"

#include <utility>
#include <vector>

#include "glog/logging.h"
#include "lib/events/flow_event.h"

namespace mlab::events {

void OpenFlowTracker::BeginConnection() {
  in_replay_ = true;
  seen_in_replay_.clear();
}

void OpenFlowTracker::Process(const FlowEvent& event, absl::Time now) {
  switch (event.type()) {
    case FlowEvent::OPEN:
    case FlowEvent::CLOSE:
      if (event.uuid().empty()) {
        ++counters_.malformed;
        LOG_EVERY_N(WARNING, 100) << "flow events: dropping event without uuid: "
                                  << event.ShortDebugString();
        return;
      }
      break;
    case FlowEvent::REPLAY_COMPLETE:
      break;
    default:
      ++counters_.malformed;
      LOG_EVERY_N(WARNING, 100) << "flow events: dropping event of unknown type "
                                << static_cast<int>(event.type());
      return;
  }

  if (event.type() == FlowEvent::OPEN) {
    // Open now, whether replayed or live, so it must survive this connection's REPLAY_COMPLETE.
    if (in_replay_) seen_in_replay_.insert(event.uuid());
    auto [it, inserted] = open_.try_emplace(event.uuid(), event);
    if (!inserted) {
      ++counters_.duplicate_opens_suppressed;
      return;
    }
    ++counters_.opens_delivered;
    handler_->OnOpen(event);
    return;
  }

  if (event.type() == FlowEvent::CLOSE) {
    if (in_replay_) seen_in_replay_.erase(event.uuid());
    if (open_.erase(event.uuid()) == 0) ++counters_.unknown_closes;
    ++counters_.closes_delivered;
    handler_->OnClose(event);
    return;
  }

  if (!in_replay_) {
    ++counters_.malformed;
    LOG_EVERY_N(WARNING, 100) << "flow events: dropping REPLAY_COMPLETE outside a replay";
    return;
  }
  // REPLAY_COMPLETE: whatever we reported open that the publisher no longer has closed meanwhile.
  std::vector<std::string> gone;
  for (const auto& [uuid, open] : open_) {
    if (!seen_in_replay_.contains(uuid)) gone.push_back(uuid);
  }
  for (std::string& uuid : gone) {
    auto node = open_.extract(uuid);
    FlowEvent close = MakeFlowEvent(FlowEvent::CLOSE, now, std::move(uuid),
                                    std::move(*node.mapped().mutable_id()));
    close.set_replayed(true);
    ++counters_.closes_synthesized;
    ++counters_.closes_delivered;
    handler_->OnClose(close);
  }
  in_replay_ = false;
  seen_in_replay_.clear();
  handler_->OnReplayComplete();
}

}  // namespace mlab::events
