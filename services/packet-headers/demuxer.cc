#include "services/packet-headers/demuxer.h"

#include <algorithm>
#include <utility>

#include "glog/logging.h"
#include "services/packet-headers/flow_saver.h"
#include "services/packet-headers/pcap_format.h"
#include "services/packet-headers/pcap_gz_writer.h"
#include "services/packet-headers/ph_metrics.h"

namespace mlab::packet_headers {

struct Demuxer::Flow {
  enum class State : uint8_t { kWaiting, kSaving, kEnded, kRefused };

  FlowKey key;
  State state = State::kWaiting;
  absl::Time start;
  absl::Time last_seen;
  absl::Time close_at = absl::InfiniteFuture();
  uint32_t snaplen = 0;  // from the first packet
  uint64_t packets = 0;
  // Records not yet handed to the saver (all of them while waiting for the UUID).
  std::string buffer;
  int64_t buffer_charged = 0;  // == buffer.capacity(), charged to the budget
  uint64_t buffer_packets = 0;
  uint64_t buffer_wire_bytes = 0;
  std::string uuid;
  std::shared_ptr<FlowSaver> saver;
  Flow* prev = nullptr;
  Flow* next = nullptr;
};

// The entry, its hash-table slot (key + pointer) and a heap-allocated UUID, with allocator slack.
const int64_t Demuxer::kFlowOverheadBytes = sizeof(Demuxer::Flow) + 128;

void Demuxer::FlowList::PushBack(Flow* flow) {
  flow->prev = tail;
  flow->next = nullptr;
  if (tail != nullptr) {
    tail->next = flow;
  } else {
    head = flow;
  }
  tail = flow;
}

void Demuxer::FlowList::Remove(Flow* flow) {
  (flow->prev != nullptr ? flow->prev->next : head) = flow->next;
  (flow->next != nullptr ? flow->next->prev : tail) = flow->prev;
  flow->prev = flow->next = nullptr;
}

namespace {

const char* SavingStateName(bool stream) { return stream ? "streaming" : "uuidfound"; }

}  // namespace

Demuxer::Counters::Counters(bool stream)
    : missed_uuidwait(GetMetrics().missed_packets.WithLabels({"uuidwait"})),
      missed_saving(GetMetrics().missed_packets.WithLabels({SavingStateName(stream)})),
      refused_maxheap(GetMetrics().flows_refused.WithLabels({"maxheap"})),
      refused_maxflows(GetMetrics().flows_refused.WithLabels({"maxflows"})),
      refused_uuidwait(GetMetrics().flows_refused.WithLabels({"uuidwaitbytes"})),
      uuid_timed_out(GetMetrics().saver_errors.WithLabels({"uuidtimedout"})),
      no_packets(GetMetrics().saver_errors.WithLabels({"nopackets"})) {}

Demuxer::Demuxer(DemuxerConfig config, const Anonymizer* anonymizer, MemoryBudget* budget,
                 const spool::SpoolDir* spool, WriterPool* pool)
    : config_(std::move(config)),
      anonymizer_(anonymizer),
      budget_(budget),
      spool_(spool),
      pool_(pool),
      counters_(config_.stream) {}

Demuxer::~Demuxer() {
  absl::MutexLock lock(&mu_);
  // Savers still referenced finish on their own; only the memory we charged goes back here.
  for (auto& [key, flow] : flows_) {
    budget_->Release(flow->buffer_charged + kFlowOverheadBytes);
  }
}

Demuxer::Flow* Demuxer::NewFlow(const FlowKey& key, absl::Time start) {
  auto owned = std::make_unique<Flow>();
  Flow* flow = owned.get();
  flow->key = key;
  flow->start = flow->last_seen = start;
  flows_.emplace(key, std::move(owned));
  GetMetrics().flows.Increment();
  return flow;
}

void Demuxer::OnPacket(const CapturedPacket& packet) {
  Metrics& m = GetMetrics();
  std::optional<PacketLayout> layout = ParsePacket(packet.link_type, packet.data, packet.caplen);
  if (!layout.has_value() || packet.caplen > packet.wirelen) {
    m.bad_packets.Increment();
    return;
  }
  const absl::Time ts = absl::FromUnixNanos(packet.timestamp_ns);
  const FlowKey key = layout->key();

  absl::MutexLock lock(&mu_);
  // Published by the sweeper: per-packet atomic updates would cost more than the rest.
  ++unpublished_packets_;
  unpublished_bytes_ += packet.wirelen;
  Flow* flow;
  auto it = flows_.find(key);
  if (it != flows_.end()) {
    flow = it->second.get();
  } else {
    if (!MakeWaitingRoom(kFlowOverheadBytes, nullptr)) {
      counters_.missed_uuidwait.Increment();
      return;
    }
    if (!budget_->TryChargeNewFlow(kFlowOverheadBytes)) {
      m.saver_skipped.Increment();
      counters_.refused_maxheap.Increment();
      return;
    }
    flow = NewFlow(key, ts);
    waiting_.PushBack(flow);
    ++waiting_count_;
    uuidwait_bytes_ += kFlowOverheadBytes;
    m.saver_starts.Increment();
  }
  flow->last_seen = std::max(flow->last_seen, ts);
  switch (flow->state) {
    case Flow::State::kWaiting:
      AppendWaiting(flow, packet, *layout);
      break;
    case Flow::State::kSaving:
      AppendSaving(flow, packet, *layout);
      break;
    case Flow::State::kEnded:
      break;  // after Close or capture_duration: late packets are not saved (upstream too)
    case Flow::State::kRefused:
      m.ignored.Increment();
      break;
  }
}

void Demuxer::AppendWaiting(Flow* flow, const CapturedPacket& packet, const PacketLayout& layout) {
  if (flow->snaplen == 0) flow->snaplen = FlowSnaplen(packet, layout);
  const size_t size = PcapRecordSize(packet, layout, flow->snaplen);
  const size_t needed = flow->buffer.size() + size;
  // What is charged, not capacity(): an empty string has a small inline capacity.
  const size_t capacity = static_cast<size_t>(flow->buffer_charged);
  if (needed > capacity) {
    // Grow geometrically, but never past the per-flow cap.
    const size_t flow_cap =
        static_cast<size_t>(std::max<int64_t>(config_.max_uuidwait_flow_bytes, 0));
    const size_t target = std::min(std::max({needed, 2 * capacity, size_t{512}}), flow_cap);
    const int64_t delta = static_cast<int64_t>(target) - static_cast<int64_t>(capacity);
    if (target < needed || !MakeWaitingRoom(delta, flow) || !budget_->TryChargeNewFlow(delta)) {
      counters_.missed_uuidwait.Increment();
      return;
    }
    flow->buffer.reserve(target);
    const int64_t actual = static_cast<int64_t>(flow->buffer.capacity());
    budget_->Charge(actual - static_cast<int64_t>(target));
    uuidwait_bytes_ += actual - flow->buffer_charged;
    flow->buffer_charged = actual;
  }
  AppendPcapRecord(packet, layout, flow->snaplen, *anonymizer_, &flow->buffer);
  ++flow->packets;
  ++flow->buffer_packets;
  flow->buffer_wire_bytes += packet.wirelen;
}

void Demuxer::AppendSaving(Flow* flow, const CapturedPacket& packet, const PacketLayout& layout) {
  if (flow->snaplen == 0) flow->snaplen = FlowSnaplen(packet, layout);
  const size_t size = PcapRecordSize(packet, layout, flow->snaplen);
  if (flow->buffer.size() + size > static_cast<size_t>(flow->buffer_charged)) {
    FlushToSaver(flow);
    DropBuffer(flow);
    const size_t target = std::max(config_.chunk_bytes, size);
    if (!budget_->TryCharge(static_cast<int64_t>(target))) {
      counters_.missed_saving.Increment();
      return;
    }
    flow->buffer.reserve(target);
    const int64_t actual = static_cast<int64_t>(flow->buffer.capacity());
    budget_->Charge(actual - static_cast<int64_t>(target));
    flow->buffer_charged = actual;
  }
  AppendPcapRecord(packet, layout, flow->snaplen, *anonymizer_, &flow->buffer);
  ++flow->packets;
  ++flow->buffer_packets;
  flow->buffer_wire_bytes += packet.wirelen;
}

bool Demuxer::MakeWaitingRoom(int64_t bytes, const Flow* keep) {
  while (uuidwait_bytes_ + bytes > config_.max_uuidwait_bytes) {
    Flow* victim = waiting_.head;
    if (victim == keep) victim = victim->next;
    if (victim == nullptr) return false;
    counters_.refused_uuidwait.Increment();
    Erase(victim);
  }
  return true;
}

Demuxer::Refusal Demuxer::CheckLimits(int64_t bytes) {
  Metrics& m = GetMetrics();
  if (config_.max_flows > 0 && saving_count_ >= config_.max_flows) {
    m.ignored.Increment();
    counters_.refused_maxflows.Increment();
    return Refusal::kMaxFlows;
  }
  if (!budget_->TryChargeNewFlow(bytes)) {
    m.saver_skipped.Increment();
    counters_.refused_maxheap.Increment();
    return Refusal::kMaxHeap;
  }
  return Refusal::kNone;
}

void Demuxer::OnOpen(const std::string& uuid, const FlowKey& key, absl::Time event_time,
                     absl::Time now) {
  Metrics& m = GetMetrics();
  m.uuids.Increment();
  absl::MutexLock lock(&mu_);
  auto it = flows_.find(key);
  if (it != flows_.end()) {
    Flow* flow = it->second.get();
    switch (flow->state) {
      case Flow::State::kWaiting:
        if (CheckLimits(PcapGzWriter::kStateBytes) == Refusal::kNone) {
          StartSaving(flow, uuid, event_time);
        } else {
          Refuse(flow, uuid);
        }
        return;
      case Flow::State::kSaving:
        if (flow->uuid != uuid) {
          m.missed_uuids.WithLabels({SavingStateName(config_.stream)}).Increment();
        }
        return;
      case Flow::State::kEnded:
      case Flow::State::kRefused:
        if (flow->uuid == uuid) {
          if (flow->state == Flow::State::kRefused) m.ignored.Increment();
          return;
        }
        Erase(flow);  // the 4-tuple was reused by a new connection
        break;
    }
  }
  const Refusal refusal = CheckLimits(kFlowOverheadBytes + PcapGzWriter::kStateBytes);
  if (refusal == Refusal::kMaxHeap) return;
  Flow* flow = NewFlow(key, now);
  if (refusal == Refusal::kMaxFlows) {
    budget_->Charge(kFlowOverheadBytes);  // a small tombstone, so its packets are not a new flow
    flow->state = Flow::State::kRefused;
    flow->uuid = uuid;
    others_.PushBack(flow);
    ++refused_count_;
    return;
  }
  m.saver_starts.Increment();
  flow->state = Flow::State::kSaving;  // StartSaving expects a flow that is not waiting
  StartSaving(flow, uuid, event_time);
}

// The caller has charged PcapGzWriter::kStateBytes, which the saver releases when done.
void Demuxer::StartSaving(Flow* flow, const std::string& uuid, absl::Time event_time) {
  if (flow->state == Flow::State::kWaiting) {
    waiting_.Remove(flow);
    --waiting_count_;
    uuidwait_bytes_ -= kFlowOverheadBytes + flow->buffer_charged;
  }
  flow->state = Flow::State::kSaving;
  flow->uuid = uuid;
  others_.PushBack(flow);
  ++saving_count_;
  by_uuid_[uuid] = flow;
  FlowSaver::Options options;
  options.spool = spool_;
  options.budget = budget_;
  options.pool = pool_;
  options.stream = config_.stream;
  options.compression_level = config_.compression_level;
  flow->saver =
      std::make_shared<FlowSaver>(uuid, event_time, anonymizer_->Format(flow->key), options);
}

void Demuxer::Refuse(Flow* flow, const std::string& uuid) {
  // Only waiting flows are refused in place.
  waiting_.Remove(flow);
  --waiting_count_;
  uuidwait_bytes_ -= kFlowOverheadBytes + flow->buffer_charged;
  DropBuffer(flow);
  flow->state = Flow::State::kRefused;
  flow->uuid = uuid;
  others_.PushBack(flow);
  ++refused_count_;
  GetMetrics().saver_stops.Increment();
}

void Demuxer::OnClose(const std::string& uuid, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = by_uuid_.find(uuid);
  if (it == by_uuid_.end()) return;
  it->second->close_at = std::min(it->second->close_at, now + config_.close_grace);
}

void Demuxer::FlushToSaver(Flow* flow) {
  if (flow->buffer.empty()) return;
  flow->saver->Append(std::move(flow->buffer), flow->buffer_charged, flow->snaplen,
                      flow->buffer_packets, flow->buffer_wire_bytes);
  flow->buffer = std::string();
  flow->buffer_charged = 0;
  flow->buffer_packets = 0;
  flow->buffer_wire_bytes = 0;
}

void Demuxer::DropBuffer(Flow* flow) {
  budget_->Release(flow->buffer_charged);
  std::string().swap(flow->buffer);
  flow->buffer_charged = 0;
  flow->buffer_packets = 0;
  flow->buffer_wire_bytes = 0;
}

void Demuxer::EndSaving(Flow* flow) {
  FlushToSaver(flow);
  DropBuffer(flow);  // an empty chunk that was reserved
  if (flow->packets == 0) counters_.no_packets.Increment();
  flow->saver->Finish();
  flow->saver.reset();
  by_uuid_.erase(flow->uuid);
  --saving_count_;
  flow->state = Flow::State::kEnded;
  ++ended_count_;
  GetMetrics().saver_stops.Increment();
}

void Demuxer::Erase(Flow* flow) {
  switch (flow->state) {
    case Flow::State::kWaiting:
      waiting_.Remove(flow);
      --waiting_count_;
      uuidwait_bytes_ -= kFlowOverheadBytes + flow->buffer_charged;
      GetMetrics().saver_stops.Increment();
      break;
    case Flow::State::kSaving:
      EndSaving(flow);
      others_.Remove(flow);
      --ended_count_;
      break;
    case Flow::State::kEnded:
      others_.Remove(flow);
      --ended_count_;
      break;
    case Flow::State::kRefused:
      others_.Remove(flow);
      --refused_count_;
      break;
  }
  DropBuffer(flow);
  budget_->Release(kFlowOverheadBytes);
  flows_.erase(flow->key);  // destroys *flow
}

void Demuxer::Sweep(absl::Time now) {
  const absl::Time began = absl::Now();
  Metrics& m = GetMetrics();
  absl::MutexLock lock(&mu_);
  const absl::Duration uuid_wait = std::min(config_.uuid_wait, config_.capture_duration);
  while (waiting_.head != nullptr && waiting_.head->start + uuid_wait <= now) {
    counters_.uuid_timed_out.Increment();
    Erase(waiting_.head);
  }
  for (Flow* flow = others_.head; flow != nullptr;) {
    Flow* next = flow->next;
    const bool idle = now - flow->last_seen >= config_.flow_timeout;
    if (flow->state == Flow::State::kSaving) {
      if (idle) {
        m.savers_garbage_collected.Increment();
        Erase(flow);
      } else if (now >= flow->close_at || now >= flow->start + config_.capture_duration) {
        EndSaving(flow);
      }
    } else if (idle) {
      Erase(flow);
    }
    flow = next;
  }
  PublishGauges();
  m.gc_latency.Observe(absl::ToDoubleSeconds(absl::Now() - began));
}

void Demuxer::FinishAll() {
  absl::MutexLock lock(&mu_);
  while (waiting_.head != nullptr) Erase(waiting_.head);
  for (Flow* flow = others_.head; flow != nullptr; flow = flow->next) {
    if (flow->state == Flow::State::kSaving) EndSaving(flow);
  }
  PublishGauges();
}

void Demuxer::PublishGauges() {
  Metrics& m = GetMetrics();
  m.packets.Add(static_cast<double>(unpublished_packets_));
  m.bytes.Add(static_cast<double>(unpublished_bytes_));
  unpublished_packets_ = 0;
  unpublished_bytes_ = 0;
  m.saver_states.WithLabels({"uuidwait"}).Set(static_cast<double>(waiting_count_));
  m.saver_states.WithLabels({SavingStateName(config_.stream)})
      .Set(static_cast<double>(saving_count_));
  m.saver_states.WithLabels({"discardingpackets"}).Set(static_cast<double>(ended_count_));
  m.saver_states.WithLabels({"draining"}).Set(static_cast<double>(refused_count_));
  m.savers_active.Set(static_cast<double>(flows_.size()));
  m.memory_bytes.Set(static_cast<double>(budget_->used()));
  m.uuidwait_bytes.Set(static_cast<double>(uuidwait_bytes_));
}

Demuxer::Stats Demuxer::stats() const {
  absl::MutexLock lock(&mu_);
  Stats s;
  s.waiting = waiting_count_;
  s.saving = saving_count_;
  s.ended = ended_count_;
  s.refused = refused_count_;
  s.uuidwait_bytes = uuidwait_bytes_;
  return s;
}

}  // namespace mlab::packet_headers
