#include "services/tcp-info/flow_event_relay.h"

#include "services/tcp-info/legacy_event.h"
#include "services/tcp-info/service_metrics.h"

namespace mlab::tcpinfo {

events::SocketID ToSocketId(const SockId& id) {
  events::SocketID out;
  out.set_src_port(id.src_port);
  out.set_dst_port(id.dst_port);
  out.set_src_ip(FormatAddress(id.src_mapped()));
  out.set_dst_ip(FormatAddress(id.dst_mapped()));
  out.set_interface(id.interface);
  out.set_cookie(id.cookie);
  return out;
}

void FlowEventRelay::OnOpen(const Flow& flow, const SocketSnapshot& first) {
  opens_.fetch_add(1, std::memory_order_relaxed);
  static metrics::Counter& counter = Metrics().flow_events.WithLabels({"open"});
  counter.Increment();
  if (publisher_ != nullptr)
    publisher_->PublishOpen(first.timestamp(), flow.uuid, ToSocketId(flow.id));
  if (jsonl_ != nullptr) jsonl_->Publish(LegacyOpenLine(first.timestamp(), flow.uuid, flow.id));
}

void FlowEventRelay::OnClose(const Flow& flow, absl::Time when) {
  closes_.fetch_add(1, std::memory_order_relaxed);
  static metrics::Counter& counter = Metrics().flow_events.WithLabels({"close"});
  counter.Increment();
  if (publisher_ != nullptr) publisher_->PublishClose(when, flow.uuid, ToSocketId(flow.id));
  if (jsonl_ != nullptr) jsonl_->Publish(LegacyCloseLine(when, flow.uuid));
}

}  // namespace mlab::tcpinfo
