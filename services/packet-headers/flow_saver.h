#ifndef MLAB_SERVICES_PACKET_HEADERS_FLOW_SAVER_H_
#define MLAB_SERVICES_PACKET_HEADERS_FLOW_SAVER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/spool/spool_dir.h"
#include "services/packet-headers/memory_budget.h"
#include "services/packet-headers/pcap_gz_writer.h"
#include "services/packet-headers/writer_pool.h"

namespace mlab::packet_headers {

// Turns the pcap records of one UUID-bound flow into `<datadir>/YYYY/MM/DD/<UUID>.pcap.gz`.
//
// The demuxer hands over chunks of records (Append) and finally Finish(); the work runs on the
// WriterPool, one task at a time per flow, so chunks are compressed in order. With `stream` the
// gzip output goes to the staged spool file as it is produced; otherwise it stays in memory until
// the flow ends (upstream's -stream=false). Either way the archive appears under its final name
// only when complete.
class FlowSaver : public std::enable_shared_from_this<FlowSaver> {
 public:
  struct Options {
    const spool::SpoolDir* spool = nullptr;
    MemoryBudget* budget = nullptr;
    WriterPool* pool = nullptr;
    bool stream = false;
    int compression_level = PcapGzWriter::kDefaultLevel;
  };

  // `date` (the Open event's time) picks the YYYY/MM/DD directory; `label` is the flow's
  // (anonymized) 4-tuple for the log. The creator has charged PcapGzWriter::kStateBytes to the
  // budget (so a flow is refused up front rather than starved later); the saver releases it.
  FlowSaver(std::string uuid, absl::Time date, std::string label, Options options);
  ~FlowSaver();

  // Queues `records` (whole pcap records of a flow whose snap length is `snaplen`); `charged` is
  // what the caller charged to the budget for them, released once compressed.
  void Append(std::string records, int64_t charged, uint32_t snaplen, uint64_t packets,
              uint64_t wire_bytes) ABSL_LOCKS_EXCLUDED(mu_);

  // No more records: write the file (nothing if no record was ever appended).
  void Finish() ABSL_LOCKS_EXCLUDED(mu_);

  const std::string& uuid() const { return uuid_; }

 private:
  struct Chunk {
    std::string records;
    int64_t charged = 0;
    uint32_t snaplen = 0;
    uint64_t packets = 0;
    uint64_t wire_bytes = 0;
  };

  void ScheduleLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  void Process(Chunk& chunk);
  void Complete();
  void Fail(const char* reason, const absl::Status& status);
  // Keeps the budget in step with what `out_` holds.
  void AccountOutput();

  const std::string uuid_;
  const absl::Time date_;
  const std::string label_;
  const Options options_;

  absl::Mutex mu_;
  std::deque<Chunk> queue_ ABSL_GUARDED_BY(mu_);
  bool scheduled_ ABSL_GUARDED_BY(mu_) = false;
  bool finish_requested_ ABSL_GUARDED_BY(mu_) = false;

  // Owned by whichever pool task runs (one at a time).
  PcapGzWriter gz_;
  std::string out_;
  int64_t out_charged_ = 0;
  bool state_charged_ = true;
  std::unique_ptr<spool::SpoolFile> file_;
  bool header_written_ = false;
  bool failed_ = false;
  uint64_t packets_ = 0;
  uint64_t wire_bytes_ = 0;
};

}  // namespace mlab::packet_headers

#endif  // MLAB_SERVICES_PACKET_HEADERS_FLOW_SAVER_H_
