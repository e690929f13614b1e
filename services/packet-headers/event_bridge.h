#ifndef MLAB_SERVICES_PACKET_HEADERS_EVENT_BRIDGE_H_
#define MLAB_SERVICES_PACKET_HEADERS_EVENT_BRIDGE_H_

#include "absl/status/statusor.h"
#include "lib/events/handler.h"
#include "proto/events.pb.h"
#include "services/packet-headers/demuxer.h"
#include "services/packet-headers/flow_key.h"

namespace mlab::packet_headers {

// The flow's key from a FlowEvent's socket id; InvalidArgument for a missing id or bad address.
absl::StatusOr<FlowKey> KeyFromSocketId(const events::SocketID& id);

// Feeds tcp-info's Open and Close events to the demuxer (runs on the subscriber's thread).
class EventBridge : public events::FlowEventHandler {
 public:
  explicit EventBridge(Demuxer* demuxer) : demuxer_(demuxer) {}

  void OnOpen(const events::FlowEvent& event) override;
  void OnClose(const events::FlowEvent& event) override;
  void OnConnected() override;
  void OnDisconnected(const absl::Status& status) override;

 private:
  Demuxer* const demuxer_;
};

}  // namespace mlab::packet_headers

#endif  // MLAB_SERVICES_PACKET_HEADERS_EVENT_BRIDGE_H_
