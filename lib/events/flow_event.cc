#include "lib/events/flow_event.h"

#include <utility>

namespace mlab::events {
namespace {

void SetTimestamp(absl::Time ts, google::protobuf::Timestamp* out) {
  // timespec keeps nanos in [0, 1e9) as protobuf requires, also before 1970.
  const timespec spec = absl::ToTimespec(ts);
  out->set_seconds(spec.tv_sec);
  out->set_nanos(static_cast<int32_t>(spec.tv_nsec));
}

}  // namespace

FlowEvent MakeFlowEvent(FlowEvent::Type type, absl::Time ts, std::string uuid, SocketID id) {
  FlowEvent event;
  event.set_type(type);
  SetTimestamp(ts, event.mutable_timestamp());
  event.set_uuid(std::move(uuid));
  *event.mutable_id() = std::move(id);
  return event;
}

FlowEvent MakeReplayComplete(absl::Time ts) {
  FlowEvent event;
  event.set_type(FlowEvent::REPLAY_COMPLETE);
  SetTimestamp(ts, event.mutable_timestamp());
  return event;
}

absl::Time EventTime(const FlowEvent& event) {
  return absl::FromUnixSeconds(event.timestamp().seconds()) +
         absl::Nanoseconds(event.timestamp().nanos());
}

bool IsKnownType(int type) {
  return type == FlowEvent::OPEN || type == FlowEvent::CLOSE || type == FlowEvent::REPLAY_COMPLETE;
}

}  // namespace mlab::events
