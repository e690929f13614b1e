#ifndef MLAB_SERVICES_PACKET_HEADERS_PACKET_HEADERS_H_
#define MLAB_SERVICES_PACKET_HEADERS_PACKET_HEADERS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/events/subscriber.h"
#include "lib/spool/spool_dir.h"
#include "services/packet-headers/anonymizer.h"
#include "services/packet-headers/capture.h"
#include "services/packet-headers/demuxer.h"
#include "services/packet-headers/event_bridge.h"
#include "services/packet-headers/memory_budget.h"
#include "services/packet-headers/writer_pool.h"

namespace mlab::packet_headers {

struct ServiceConfig {
  std::string datadir = ".";
  // Interfaces to capture on; empty = every interface that is up.
  std::vector<std::string> interfaces;
  int max_header_size = 256;  // capture snap length
  int capture_buffer_bytes = 32 * 1000 * 1000;
  bool capture_immediate = true;
  Anonymizer::Mode anonymize = Anonymizer::Mode::kNone;
  std::string event_socket;
  // The whole process stays under this many bytes of RSS: fixed costs (code, capture rings) are
  // measured at startup and the rest is the budget for flows.
  int64_t max_heap = 8LL * 1000 * 1000 * 1000;
  // Free heap memory above this is returned to the OS after a sweep.
  int64_t max_idle_ram = 3LL * 1000 * 1000 * 1000;
  int writer_threads = 2;
  DemuxerConfig demuxer;
};

// The service: captures on the selected interfaces, follows tcp-info's flow events, and writes
// one .pcap.gz per flow. Start once, Stop once (which saves every flow with a UUID).
class PacketHeaders {
 public:
  explicit PacketHeaders(ServiceConfig config);
  ~PacketHeaders();  // Stop()

  absl::Status Start();
  void Stop();

  // False once every capture has ended on its own (e.g. the interfaces went away).
  bool capturing() const { return running_captures_.load() > 0; }
  const std::string& bpf_filter() const { return filter_; }
  MemoryBudget* budget() { return budget_.get(); }

 private:
  void SweepLoop();
  void PollCaptureStats();

  ServiceConfig config_;
  std::unique_ptr<spool::SpoolDir> spool_;
  std::unique_ptr<Anonymizer> anonymizer_;
  std::unique_ptr<MemoryBudget> budget_;
  std::unique_ptr<WriterPool> pool_;
  std::unique_ptr<Demuxer> demuxer_;
  std::unique_ptr<EventBridge> bridge_;
  std::unique_ptr<events::FlowEventSubscriber> subscriber_;
  std::vector<std::unique_ptr<Capture>> captures_;
  std::vector<Capture::Stats> reported_;  // per capture, what the metrics already have
  std::vector<std::thread> capture_threads_;
  std::thread sweeper_;
  std::string filter_;
  std::atomic<int> running_captures_{0};
  bool started_ = false;
  bool stopped_ = false;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace mlab::packet_headers

#endif  // MLAB_SERVICES_PACKET_HEADERS_PACKET_HEADERS_H_
