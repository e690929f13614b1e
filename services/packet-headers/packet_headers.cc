#include "services/packet-headers/packet_headers.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "glog/logging.h"
#include "services/packet-headers/interfaces.h"
#include "services/packet-headers/ph_metrics.h"

namespace mlab::packet_headers {
namespace {

// Thread stacks, allocator slack and the event client grow after startup; keep room for them.
constexpr int64_t kRuntimeSlackBytes = 16 * 1000 * 1000;
// Below this the flow budget could not hold even a few flows: refuse to start.
constexpr int64_t kMinimumFlowBudget = 8 * 1000 * 1000;

int64_t ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  long pages = 0, resident = 0;
  const int n = std::fscanf(f, "%ld %ld", &pages, &resident);
  std::fclose(f);
  return n == 2 ? static_cast<int64_t>(resident) * sysconf(_SC_PAGESIZE) : 0;
}

}  // namespace

PacketHeaders::PacketHeaders(ServiceConfig config) : config_(std::move(config)) {}

PacketHeaders::~PacketHeaders() { Stop(); }

absl::Status PacketHeaders::Start() {
  if (started_) return absl::FailedPreconditionError("already started");
  started_ = true;
  if (config_.event_socket.empty()) {
    return absl::InvalidArgumentError("-tcpinfo.eventsocket is required: UUIDs come from tcp-info");
  }

  // Resolved once, so a relative -datadir means the same directory for every file.
  std::error_code error;
  const std::filesystem::path datadir = std::filesystem::absolute(config_.datadir, error);
  if (error) return absl::InvalidArgumentError(absl::StrCat("-datadir: ", error.message()));
  spool_ = std::make_unique<spool::SpoolDir>(datadir.lexically_normal().string());
  if (absl::Status s = spool_->Init(); !s.ok()) return s;

  absl::StatusOr<std::vector<InterfaceInfo>> all = ListInterfaces();
  if (!all.ok()) return all.status();
  absl::StatusOr<std::vector<InterfaceInfo>> selected = SelectInterfaces(*all, config_.interfaces);
  if (!selected.ok()) return selected.status();
  if (selected->empty()) return absl::FailedPreconditionError("no interface is up");
  filter_ = BuildBpfFilter(*selected);
  LOG(INFO) << "Using BPF filter \"" << filter_ << "\"";

  int64_t ring_bytes = 0;
  for (const InterfaceInfo& info : *selected) {
    Capture::Options options;
    options.interface = info.name;
    options.snaplen = config_.max_header_size;
    options.buffer_bytes = config_.capture_buffer_bytes;
    options.filter = filter_;
    options.immediate = config_.capture_immediate;
    absl::StatusOr<std::unique_ptr<Capture>> capture = Capture::OpenLive(options);
    if (!capture.ok()) {
      LOG(WARNING) << "not capturing on " << info.name << ": " << capture.status();
      continue;
    }
    LOG(INFO) << "capturing on " << info.name << " (link type " << (*capture)->link_type()
              << ", snaplen " << config_.max_header_size << ", buffer "
              << config_.capture_buffer_bytes << " bytes)";
    ring_bytes += config_.capture_buffer_bytes;
    captures_.push_back(std::move(*capture));
  }
  if (captures_.empty()) return absl::FailedPreconditionError("no interface could be captured");
  reported_.resize(captures_.size());

  anonymizer_ = std::make_unique<Anonymizer>(config_.anonymize, AllAddresses(*all));

  // -maxheap caps the whole process: what it costs to exist (code, libraries, the capture rings
  // once the kernel has filled them) is not available to flows.
  const int64_t baseline = ResidentBytes() + ring_bytes + kRuntimeSlackBytes;
  const int64_t flow_budget = config_.max_heap - baseline;
  if (flow_budget < kMinimumFlowBudget) {
    return absl::InvalidArgumentError(absl::StrCat(
        "-maxheap=", config_.max_heap, " leaves ", flow_budget, " bytes for flows after ", baseline,
        " bytes of fixed cost (resident memory and capture rings); raise it or lower "
        "-pcapbuffersize"));
  }
  budget_ = std::make_unique<MemoryBudget>(flow_budget);
  LOG(INFO) << "memory: -maxheap " << config_.max_heap << ", fixed " << baseline << ", flows "
            << flow_budget;

  pool_ = std::make_unique<WriterPool>(config_.writer_threads);
  demuxer_ = std::make_unique<Demuxer>(config_.demuxer, anonymizer_.get(), budget_.get(),
                                       spool_.get(), pool_.get());
  bridge_ = std::make_unique<EventBridge>(demuxer_.get());
  events::FlowEventSubscriber::Options subscriber_options;
  subscriber_options.client_name = "packet-headers";
  subscriber_ = std::make_unique<events::FlowEventSubscriber>(config_.event_socket, bridge_.get(),
                                                              subscriber_options);
  if (absl::Status s = subscriber_->Start(); !s.ok()) return s;

  GetMetrics().interfaces_with_captures.Set(static_cast<double>(captures_.size()));
  running_captures_ = static_cast<int>(captures_.size());
  for (std::unique_ptr<Capture>& capture : captures_) {
    Capture* c = capture.get();
    capture_threads_.emplace_back([this, c] {
      absl::Status status =
          c->Run([this](const CapturedPacket& packet) { demuxer_->OnPacket(packet); });
      if (!status.ok()) LOG(ERROR) << "capture ended: " << status;
      GetMetrics().interfaces_with_captures.Set(static_cast<double>(--running_captures_));
    });
  }
  sweeper_ = std::thread([this] { SweepLoop(); });
  return absl::OkStatus();
}

void PacketHeaders::PollCaptureStats() {
  Metrics& m = GetMetrics();
  for (size_t i = 0; i < captures_.size(); ++i) {
    absl::StatusOr<Capture::Stats> stats = captures_[i]->GetStats();
    if (!stats.ok()) continue;
    const std::string& name = captures_[i]->name();
    m.capture_received.WithLabels({name}).Add(
        static_cast<double>(stats->received - reported_[i].received));
    m.kernel_drops.WithLabels({name}).Add(
        static_cast<double>(stats->dropped - reported_[i].dropped));
    m.interface_drops.WithLabels({name}).Add(
        static_cast<double>(stats->if_dropped - reported_[i].if_dropped));
    reported_[i] = *stats;
  }
}

void PacketHeaders::SweepLoop() {
  const DemuxerConfig& d = config_.demuxer;
  const absl::Duration tick = std::clamp(std::min({d.flow_timeout, d.close_grace, d.uuid_wait}) / 4,
                                         absl::Milliseconds(10), absl::Seconds(1));
  absl::Time last_trim = absl::Now();
  absl::Time last_pressure_log = absl::InfinitePast();
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), tick);
    if (stopping_) break;
    mu_.Unlock();
    const absl::Time now = absl::Now();
    demuxer_->Sweep(now);
    PollCaptureStats();
    // Memory the accounting does not see (allocator overhead, fragmentation) still counts.
    const int64_t rss = ResidentBytes();
    const bool pressure = rss > config_.max_heap;
    if (pressure && now - last_pressure_log >= absl::Seconds(10)) {
      last_pressure_log = now;
      LOG(WARNING) << "resident memory " << rss << " is above -maxheap " << config_.max_heap
                   << ": refusing new flows";
    }
    budget_->SetPressure(pressure);
    if (now - last_trim >= d.flow_timeout) {
      last_trim = now;
      const struct mallinfo2 info = mallinfo2();
      if (static_cast<int64_t>(info.fordblks) > config_.max_idle_ram) malloc_trim(0);
    }
    mu_.Lock();
  }
}

void PacketHeaders::Stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  for (std::unique_ptr<Capture>& capture : captures_) capture->Stop();
  for (std::thread& t : capture_threads_) t.join();
  capture_threads_.clear();
  if (subscriber_ != nullptr) subscriber_->Stop();
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (sweeper_.joinable()) sweeper_.join();
  if (demuxer_ != nullptr) {
    demuxer_->FinishAll();
    pool_->WaitIdle();
    pool_->Stop();
    if (!captures_.empty()) PollCaptureStats();
  }
  LOG(INFO) << "packet-headers stopped; every flow with a UUID is saved";
}

}  // namespace mlab::packet_headers
