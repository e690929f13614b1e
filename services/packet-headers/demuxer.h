#ifndef MLAB_SERVICES_PACKET_HEADERS_DEMUXER_H_
#define MLAB_SERVICES_PACKET_HEADERS_DEMUXER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/metrics/counter.h"
#include "lib/spool/spool_dir.h"
#include "services/packet-headers/anonymizer.h"
#include "services/packet-headers/flow_key.h"
#include "services/packet-headers/memory_budget.h"
#include "services/packet-headers/packet_parser.h"
#include "services/packet-headers/writer_pool.h"

namespace mlab::packet_headers {

struct DemuxerConfig {
  // A flow is saved for at most this long after it starts (first packet or UUID).
  absl::Duration capture_duration = absl::Seconds(30);
  // Packets of a flow without a UUID are kept this long after its first packet, then dropped.
  absl::Duration uuid_wait = absl::Seconds(5);
  // A flow with no packet for this long is ended.
  absl::Duration flow_timeout = absl::Seconds(30);
  // After tcp-info reports the flow closed, its last packets (FIN, ACK) still get this long.
  absl::Duration close_grace = absl::Seconds(1);
  // Flows being saved at once; 0 = no limit.
  int max_flows = 0;
  // Bytes held for all flows still waiting for their UUID; the oldest such flow is evicted to
  // make room, so a SYN flood cannot push out the flows that will get a UUID.
  int64_t max_uuidwait_bytes = 64 * 1000 * 1000;
  // Bytes held for one flow waiting for its UUID; later packets are dropped.
  int64_t max_uuidwait_flow_bytes = 1000 * 1000;
  // Records are handed to the flow's saver in chunks of this size.
  size_t chunk_bytes = 32 * 1024;
  bool stream = false;
  // gzip level of the archives (6 = upstream's; lower costs less CPU for slightly larger files).
  int compression_level = 6;
};

// Sorts captured packets into flows by their direction-independent 4-tuple, ties flows to the
// UUIDs of tcp-info's Open events, and hands each saved flow's records to a FlowSaver.
//
// A flow ends on its Close event (after close_grace), when idle for flow_timeout, or
// capture_duration after it started; -maxflows and -maxheap (the MemoryBudget) refuse new flows.
// Ended and refused flows stay as small tombstones until idle, so their late packets are not
// mistaken for a new flow. Thread-safe: capture threads, the event thread and the sweeper call in.
class Demuxer {
 public:
  Demuxer(DemuxerConfig config, const Anonymizer* anonymizer, MemoryBudget* budget,
          const spool::SpoolDir* spool, WriterPool* pool);
  ~Demuxer();
  Demuxer(const Demuxer&) = delete;
  Demuxer& operator=(const Demuxer&) = delete;

  void OnPacket(const CapturedPacket& packet) ABSL_LOCKS_EXCLUDED(mu_);
  // tcp-info saw the flow open; `event_time` names the archive's date directory.
  void OnOpen(const std::string& uuid, const FlowKey& key, absl::Time event_time, absl::Time now)
      ABSL_LOCKS_EXCLUDED(mu_);
  void OnClose(const std::string& uuid, absl::Time now) ABSL_LOCKS_EXCLUDED(mu_);
  // Ends flows whose time is up and publishes the metrics; call periodically.
  void Sweep(absl::Time now) ABSL_LOCKS_EXCLUDED(mu_);
  // Shutdown: saves every flow with a UUID now and drops the others.
  void FinishAll() ABSL_LOCKS_EXCLUDED(mu_);

  struct Stats {
    int64_t waiting = 0;  // flows without a UUID yet
    int64_t saving = 0;   // flows with a UUID, being saved
    int64_t ended = 0;    // tombstones of saved flows
    int64_t refused = 0;  // tombstones of refused flows
    int64_t uuidwait_bytes = 0;
  };
  Stats stats() const ABSL_LOCKS_EXCLUDED(mu_);

  // What one tracked flow costs beyond its buffered records (entry, table slot, allocator).
  static const int64_t kFlowOverheadBytes;

 private:
  struct Flow;
  struct FlowList {
    Flow* head = nullptr;
    Flow* tail = nullptr;
    void PushBack(Flow* flow);
    void Remove(Flow* flow);
  };
  enum class Refusal { kNone, kMaxFlows, kMaxHeap };

  Flow* NewFlow(const FlowKey& key, absl::Time start) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AppendWaiting(Flow* flow, const CapturedPacket& packet, const PacketLayout& layout)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AppendSaving(Flow* flow, const CapturedPacket& packet, const PacketLayout& layout)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Evicts the oldest waiting flows (never `keep`) until `bytes` more fit the uuidwait cap.
  bool MakeWaitingRoom(int64_t bytes, const Flow* keep) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Checks -maxflows, then charges `bytes` to the budget; counts a refusal.
  Refusal CheckLimits(int64_t bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void StartSaving(Flow* flow, const std::string& uuid, absl::Time event_time)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Refuse(Flow* flow, const std::string& uuid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FlushToSaver(Flow* flow) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EndSaving(Flow* flow) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Erase(Flow* flow) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DropBuffer(Flow* flow) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PublishGauges() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Labelled metric children used per packet or per flow, looked up once.
  struct Counters {
    explicit Counters(bool stream);
    metrics::Counter& missed_uuidwait;
    metrics::Counter& missed_saving;
    metrics::Counter& refused_maxheap;
    metrics::Counter& refused_maxflows;
    metrics::Counter& refused_uuidwait;
    metrics::Counter& uuid_timed_out;
    metrics::Counter& no_packets;
  };

  const DemuxerConfig config_;
  const Anonymizer* const anonymizer_;
  MemoryBudget* const budget_;
  const spool::SpoolDir* const spool_;
  WriterPool* const pool_;
  Counters counters_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<FlowKey, std::unique_ptr<Flow>> flows_ ABSL_GUARDED_BY(mu_);
  // Flows being saved, by UUID (for Close events).
  absl::flat_hash_map<std::string, Flow*> by_uuid_ ABSL_GUARDED_BY(mu_);
  FlowList waiting_ ABSL_GUARDED_BY(mu_);  // oldest first: expiry and eviction order
  FlowList others_ ABSL_GUARDED_BY(mu_);   // saving flows and tombstones
  int64_t waiting_count_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t saving_count_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t ended_count_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t refused_count_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t uuidwait_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t unpublished_packets_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t unpublished_bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace mlab::packet_headers

#endif  // MLAB_SERVICES_PACKET_HEADERS_DEMUXER_H_
