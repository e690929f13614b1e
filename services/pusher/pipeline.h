#ifndef MLAB_SERVICES_PUSHER_PIPELINE_H_
#define MLAB_SERVICES_PUSHER_PIPELINE_H_

#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/pusher/archive_name.h"
#include "services/pusher/bundler.h"
#include "services/pusher/cancel_token.h"
#include "services/pusher/journal.h"
#include "services/pusher/shipper.h"
#include "services/pusher/uploader.h"

namespace mlab::pusher {

// Everything for one datatype: files offered by the watcher and the sweeper are journaled and
// queued; a bundling thread reads them into archives (Bundler) and journals each sealed
// archive; an upload thread ships them (Shipper) and deletes their files. A file is "in
// flight" from the moment it is accepted until it is deleted, and a file in flight is never
// accepted twice, so the sweeper and repeated events cannot duplicate it.
class DatatypePipeline {
 public:
  struct Options {
    Bundler::Options bundler;  // datatype, root, ratio, threshold, wait, PAX records
    std::string experiment;
    std::string node;
    // Sealed archives (in memory) waiting for or in upload; bundling pauses beyond it, so an
    // outage holds names, not file contents.
    size_t max_pending_archives = 2;
    size_t max_queued_files = 1'000'000;
    absl::Duration backoff_initial = absl::Milliseconds(100);
    absl::Duration backoff_max = absl::Minutes(5);
    // Archive age while draining after SIGTERM.
    absl::Duration drain_wait = absl::Seconds(1);
    // Unreadable files are retried this many times (with backoff) before they are left to the
    // sweeper.
    int max_read_attempts = 8;
  };
  enum class Source { kCloseWrite, kMovedTo, kNewDirectory, kSweep, kJournal, kChanged };

  DatatypePipeline(Options options, std::unique_ptr<Journal> journal,
                   std::unique_ptr<Uploader> uploader);
  ~DatatypePipeline();
  DatatypePipeline(const DatatypePipeline&) = delete;
  DatatypePipeline& operator=(const DatatypePipeline&) = delete;

  // Before Start: queues the journal's sealed archives (to confirm or re-upload under their
  // recorded names) and its accepted files that still exist.
  absl::Status Recover();
  void Start();

  // Accepts a file (path relative to the datatype root); false if it is already in flight,
  // rejected by the name lint, or the queue is full.
  bool Offer(const std::string& relative_path, Source source) ABSL_LOCKS_EXCLUDED(mu_);

  // SIGTERM: seal what is open now; archives opened later are sealed after drain_wait.
  void BeginDrain() ABSL_LOCKS_EXCLUDED(mu_);
  // Bundles what is queued, seals everything and stops bundling; uploads continue.
  void CloseIntake() ABSL_LOCKS_EXCLUDED(mu_);
  // True once intake is closed and every archive is uploaded.
  bool Idle() const ABSL_LOCKS_EXCLUDED(mu_);
  // Waits until Idle() or `deadline`; returns Idle().
  bool WaitIdle(absl::Time deadline) const ABSL_LOCKS_EXCLUDED(mu_);
  // Abandons uploads in progress (the journal keeps them) and stops both threads.
  void Abort() ABSL_LOCKS_EXCLUDED(mu_);

  void UpdateGauges() const ABSL_LOCKS_EXCLUDED(mu_);
  const std::string& datatype() const { return options_.bundler.datatype; }
  size_t in_flight() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Entry {
    absl::Time accepted;
    bool sealed = false;
  };
  struct Deferred {
    std::string path;
    int attempts;
    absl::Time due;
  };

  void BundleLoop();
  void ShipLoop();
  // Journals and queues sealed archives; blocks while the upload queue is full.
  void Hand(std::vector<SealedArchive>* sealed) ABSL_LOCKS_EXCLUDED(mu_);
  void Forget(const std::vector<std::string>& paths) ABSL_LOCKS_EXCLUDED(mu_);
  void MaybeCompactIntake() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<Uploader> uploader_;
  ArchiveNamer namer_;
  CancelToken cancel_;

  mutable absl::Mutex mu_;
  std::map<std::string, Entry> in_flight_ ABSL_GUARDED_BY(mu_);
  size_t unsealed_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
  std::deque<SealedArchive> pending_ ABSL_GUARDED_BY(mu_);
  bool uploading_ ABSL_GUARDED_BY(mu_) = false;
  bool drain_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool intake_closed_ ABSL_GUARDED_BY(mu_) = false;
  bool bundling_done_ ABSL_GUARDED_BY(mu_) = false;
  bool shipping_done_ ABSL_GUARDED_BY(mu_) = false;
  bool aborted_ ABSL_GUARDED_BY(mu_) = false;
  std::set<std::string> strange_reported_ ABSL_GUARDED_BY(mu_);

  std::thread bundle_thread_;
  std::thread ship_thread_;
};

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_PIPELINE_H_
