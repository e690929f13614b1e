#ifndef MLAB_SERVICES_TCP_INFO_FLOW_EVENT_RELAY_H_
#define MLAB_SERVICES_TCP_INFO_FLOW_EVENT_RELAY_H_

#include <atomic>
#include <cstdint>

#include "lib/events/publisher.h"
#include "services/tcp-info/flow_observer.h"
#include "services/tcp-info/jsonl_event_server.h"

namespace mlab::tcpinfo {

// Announces flow Open and Close to the FlowEvents publisher (gRPC subscribers, with replay) and,
// when configured, to upstream's JSON-lines socket. Events carry real addresses: anonymization
// applies to archives only, as upstream.
class FlowEventRelay : public FlowObserver {
 public:
  // Either may be null.
  FlowEventRelay(events::FlowEventPublisher* publisher, JsonlEventServer* jsonl)
      : publisher_(publisher), jsonl_(jsonl) {}

  void OnOpen(const Flow& flow, const SocketSnapshot& first) override;
  void OnSnapshot(const Flow&, const SocketSnapshot&, SnapshotChange) override {}
  void OnClose(const Flow& flow, absl::Time when) override;

  int64_t opens() const { return opens_.load(std::memory_order_relaxed); }
  int64_t closes() const { return closes_.load(std::memory_order_relaxed); }

 private:
  events::FlowEventPublisher* const publisher_;
  JsonlEventServer* const jsonl_;
  std::atomic<int64_t> opens_{0};
  std::atomic<int64_t> closes_{0};
};

// The gRPC form of a flow's identity.
events::SocketID ToSocketId(const SockId& id);

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_FLOW_EVENT_RELAY_H_
