#include "services/packet-headers/event_bridge.h"

#include "absl/time/clock.h"
#include "glog/logging.h"
#include "lib/events/flow_event.h"
#include "services/packet-headers/ph_metrics.h"

namespace mlab::packet_headers {

absl::StatusOr<FlowKey> KeyFromSocketId(const events::SocketID& id) {
  absl::StatusOr<IpAddress> src = IpAddress::Parse(id.src_ip());
  if (!src.ok()) return src.status();
  absl::StatusOr<IpAddress> dst = IpAddress::Parse(id.dst_ip());
  if (!dst.ok()) return dst.status();
  if (src->family != dst->family || id.src_port() > 0xFFFF || id.dst_port() > 0xFFFF) {
    return absl::InvalidArgumentError("inconsistent socket id");
  }
  return FlowKey(*src, static_cast<uint16_t>(id.src_port()), *dst,
                 static_cast<uint16_t>(id.dst_port()));
}

void EventBridge::OnOpen(const events::FlowEvent& event) {
  Metrics& m = GetMetrics();
  if (!event.has_id()) {
    m.bad_events.WithLabels({"nilid"}).Increment();
    return;
  }
  absl::StatusOr<FlowKey> key = KeyFromSocketId(event.id());
  if (!key.ok()) {
    m.bad_events.WithLabels({"badip"}).Increment();
    LOG(WARNING) << "unusable Open event uuid=" << event.uuid() << ": " << key.status();
    return;
  }
  demuxer_->OnOpen(event.uuid(), *key, events::EventTime(event), absl::Now());
}

void EventBridge::OnClose(const events::FlowEvent& event) {
  demuxer_->OnClose(event.uuid(), absl::Now());
}

void EventBridge::OnConnected() { LOG(INFO) << "connected to the flow event socket"; }

void EventBridge::OnDisconnected(const absl::Status& status) {
  LOG(WARNING) << "flow event stream ended (reconnecting): " << status;
}

}  // namespace mlab::packet_headers
