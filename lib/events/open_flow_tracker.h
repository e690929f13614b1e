// The subscriber's memory of reported flows, so replays after reconnecting report each flow once.
#ifndef MLAB_LIB_EVENTS_OPEN_FLOW_TRACKER_H_
#define MLAB_LIB_EVENTS_OPEN_FLOW_TRACKER_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "lib/events/handler.h"
#include "proto/events.pb.h"

namespace mlab::events {

// Turns the raw event streams of successive connections into one consistent story for a handler:
// - OPEN (replayed or live) of a uuid already reported open is suppressed;
// - CLOSE is always delivered, and forgets the uuid;
// - at REPLAY_COMPLETE, every uuid reported open but absent from this connection's replay gets a
//   synthesized CLOSE (replayed=true): it closed while we were disconnected;
// - events of unknown type, and OPEN/CLOSE without uuid, are counted and dropped.
// Not thread-safe: used by the subscriber's thread only.
class OpenFlowTracker {
 public:
  struct Counters {
    int64_t opens_delivered = 0;
    int64_t closes_delivered = 0;
    int64_t duplicate_opens_suppressed = 0;
    int64_t closes_synthesized = 0;
    int64_t unknown_closes = 0;
    int64_t malformed = 0;
  };

  explicit OpenFlowTracker(FlowEventHandler* handler) : handler_(handler) {}

  // A new stream starts; its replay is expected before REPLAY_COMPLETE.
  void BeginConnection();

  // Applies one received event, calling the handler as described above. `now` stamps
  // synthesized closes.
  void Process(const FlowEvent& event, absl::Time now);

  // Flows currently reported open to the handler.
  size_t open_count() const { return open_.size(); }
  const Counters& counters() const { return counters_; }

 private:
  FlowEventHandler* const handler_;
  // uuid -> the OPEN delivered for it (its id stamps a synthesized CLOSE).
  absl::flat_hash_map<std::string, FlowEvent> open_;
  // uuids the current connection has shown open, until its REPLAY_COMPLETE.
  absl::flat_hash_set<std::string> seen_in_replay_;
  bool in_replay_ = false;
  Counters counters_;
};

}  // namespace mlab::events

#endif  // MLAB_LIB_EVENTS_OPEN_FLOW_TRACKER_H_
