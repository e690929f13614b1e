// What a FlowEventSubscriber calls as flows open and close.
#ifndef MLAB_LIB_EVENTS_HANDLER_H_
#define MLAB_LIB_EVENTS_HANDLER_H_

#include "absl/status/status.h"
#include "proto/events.pb.h"

namespace mlab::events {

// Callbacks run one at a time on the subscriber's own thread, in stream order. A handler that
// blocks holds up only this subscriber; if it falls more than the publisher's queue behind, the
// publisher drops the stream and the subscriber resyncs through the replay, so OPEN/CLOSE
// pairing is kept (flows that opened and closed entirely while disconnected are not seen).
class FlowEventHandler {
 public:
  virtual ~FlowEventHandler() = default;

  // A flow is open: reported once per uuid while it stays open, across reconnections.
  // event.replayed() is true when the flow was already open when this connection started.
  virtual void OnOpen(const FlowEvent& event) = 0;

  // A flow is gone. Also delivered for uuids never reported open (consumers usually ignore
  // those). replayed() is true when the subscriber synthesized it after a reconnection because
  // the flow was no longer in the replay; its timestamp is then the time of that discovery.
  virtual void OnClose(const FlowEvent& event) = 0;

  // The replay of a connection is complete: every flow reported open is open right now.
  virtual void OnReplayComplete() {}

  // A stream to the publisher is established (the replay follows).
  virtual void OnConnected() {}

  // The established stream ended with `status`; the subscriber reconnects unless stopped.
  virtual void OnDisconnected(const absl::Status& status) {}
};

}  // namespace mlab::events

#endif  // MLAB_LIB_EVENTS_HANDLER_H_
