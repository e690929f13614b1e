// Helpers to build and read FlowEvent messages, so callers never touch protobuf timestamps.
#ifndef MLAB_LIB_EVENTS_FLOW_EVENT_H_
#define MLAB_LIB_EVENTS_FLOW_EVENT_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "proto/events.pb.h"

namespace mlab::events {

// Events are immutable once published and shared by every subscriber's queue.
using FlowEventPtr = std::shared_ptr<const FlowEvent>;

// Builds an event of `type` observed at `ts` (converted to a UTC protobuf Timestamp).
FlowEvent MakeFlowEvent(FlowEvent::Type type, absl::Time ts, std::string uuid, SocketID id);

// The REPLAY_COMPLETE marker (no uuid, no id).
FlowEvent MakeReplayComplete(absl::Time ts);

// The event's timestamp as absl::Time (the Unix epoch when unset).
absl::Time EventTime(const FlowEvent& event);

// True for the types a publisher may publish and a subscriber may dispatch.
bool IsKnownType(int type);

}  // namespace mlab::events

#endif  // MLAB_LIB_EVENTS_FLOW_EVENT_H_
