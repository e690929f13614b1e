#ifndef MLAB_SERVICES_TCP_INFO_ARCHIVER_H_
#define MLAB_SERVICES_TCP_INFO_ARCHIVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/spool/spool_dir.h"
#include "services/tcp-info/archive_file.h"
#include "services/tcp-info/flow_observer.h"

namespace mlab::tcpinfo {

// Counters for the service's metrics (a copy; safe to take from any thread).
struct ArchiverStats {
  uint64_t files_opened = 0;
  uint64_t files_committed = 0;
  uint64_t snapshots_written = 0;
  uint64_t compressed_bytes = 0;  // of committed files
  uint64_t bytes_written = 0;     // compressed, to every file as it is written
  uint64_t errors = 0;
  uint64_t open_files = 0;
};

// Writes each flow's snapshots to its archive files, `<UUID>.<seq>.jsonl.zst`:
//  - a flow's first file (sequence 0) is dated by its first snapshot, later ones by the time
//    they open; each starts with its header line;
//  - a file rotates `rotation` after the flow started, and every `rotation` after that: checked
//    both when a snapshot arrives and by Tick(), so idle flows' files become visible on time (the
//    next file opens with the flow's next snapshot);
//  - a file is committed when its flow closes, when it rotates and at Shutdown();
//  - a name already in the spool is never reused: the flow takes the next free sequence, so a
//    restarted tcp-info continues a flow instead of truncating its archive;
//  - Tick() flushes files written to since the last flush every `flush_interval`, bounding what
//    a crash can lose to that interval (RepairLeftovers recovers the rest after a restart).
// Single-threaded (ArchiveWorker runs it off the polling thread). OnSnapshot and OnClose read
// only the flow's cookie; OnOpen also its uuid.
class Archiver : public FlowObserver {
 public:
  struct Options {
    absl::Duration rotation = absl::Minutes(10);
    absl::Duration flush_interval = absl::Seconds(1);
    // Rewrites the RawIDM of a line before it is written (anonymization); optional.
    std::function<void(std::string* raw_idm)> rewrite_idm;
  };

  Archiver(const spool::SpoolDir* spool, Options options);
  ~Archiver() override;  // Shutdown()

  void OnOpen(const Flow& flow, const SocketSnapshot& first) override;
  void OnSnapshot(const Flow& flow, const SocketSnapshot& snapshot, SnapshotChange change) override;
  void OnClose(const Flow& flow, absl::Time when) override;

  // Rotates files that reached their time and flushes pending output; does the work at most once
  // per flush interval (and at least once a second), so it is cheap to call every poll.
  void Tick(absl::Time now);

  // Commits every open file (they stay tracked: a later snapshot continues with the next
  // sequence).
  void Shutdown();

  ArchiverStats stats() const;
  size_t flows() const { return flows_.size(); }

 private:
  struct FlowFiles {
    std::string uuid;
    absl::Time start_time;
    absl::Time rotate_at;
    int64_t next_sequence = 0;
    std::unique_ptr<ArchiveFile> file;
    uint64_t bytes_accounted = 0;  // of `file`, already added to bytes_written
  };

  void Commit(FlowFiles& files);
  // After a failed write or flush (a full disk) the stream has a hole: counts and logs `error`
  // and drops the file, so the next snapshot starts the next sequence, a whole file.
  void Drop(FlowFiles& files, absl::string_view what, const absl::Status& error);
  absl::Status OpenNext(FlowFiles& files, absl::Time now);
  void AdvanceRotation(FlowFiles& files, absl::Time now);
  // Adds what `files.file` wrote since the last call to bytes_written.
  void Account(FlowFiles& files);

  const spool::SpoolDir* const spool_;
  const Options options_;
  absl::flat_hash_map<uint64_t, FlowFiles> flows_;
  absl::Time next_tick_ = absl::InfinitePast();
  struct {
    std::atomic<uint64_t> files_opened{0};
    std::atomic<uint64_t> files_committed{0};
    std::atomic<uint64_t> snapshots_written{0};
    std::atomic<uint64_t> compressed_bytes{0};
    std::atomic<uint64_t> bytes_written{0};
    std::atomic<uint64_t> errors{0};
    std::atomic<uint64_t> open_files{0};
  } stats_;
  std::string line_;  // reused
  std::string idm_;   // reused
};

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_ARCHIVER_H_
