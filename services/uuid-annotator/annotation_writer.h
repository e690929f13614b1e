// Turns flow Open events into annotation2 files: a bounded queue (upstream's -eventbuffersize,
// overflow dropped and counted) and one worker that annotates and writes each file through the
// spool (staged, then renamed into <datadir>/YYYY/MM/DD/<UUID>.json, never overwritten). A file
// a full disk refuses is held in memory and written once there is room (spool::RetryingWriter).
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_ANNOTATION_WRITER_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_ANNOTATION_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/events/handler.h"
#include "lib/spool/retrying_writer.h"
#include "lib/spool/spool_dir.h"
#include "services/uuid-annotator/annotated_log.h"
#include "services/uuid-annotator/flow_annotator.h"

namespace mlab::uuid_annotator {

class AnnotationWriter : public events::FlowEventHandler {
 public:
  struct Options {
    // Opens waiting to be written; more are dropped (missed_uuids_total{reason="pipefull"}).
    size_t queue_size = 1000;
    // Where the UUIDs annotated lately are kept across restarts (AnnotatedLog); empty: in memory
    // only.
    std::string annotated_log;
    // Bounds and pace for annotations a full disk refused.
    spool::RetryingWriter::Options retry;
  };

  struct Stats {
    int64_t written = 0;  // including those written after being held
    int64_t held = 0;     // refused by a full disk at first
    int64_t already_annotated = 0;
    int64_t write_failed = 0;
    int64_t dropped = 0;
    int64_t malformed = 0;
  };

  // Both must outlive this object.
  AnnotationWriter(const FlowAnnotator* annotator, const spool::SpoolDir* spool, Options options);
  ~AnnotationWriter() override;  // Stop()

  // Loads the annotated log (a failure is logged: annotation goes on, without memory across
  // restarts) and starts the worker.
  void Start();
  // Writes every queued event, then joins the worker. Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // Queues the flow; never blocks the subscriber.
  void OnOpen(const events::FlowEvent& event) override ABSL_LOCKS_EXCLUDED(mu_);
  // Upstream annotates at open only.
  void OnClose(const events::FlowEvent& event) override {}

  size_t queue_length() const ABSL_LOCKS_EXCLUDED(mu_);
  Stats stats() const ABSL_LOCKS_EXCLUDED(mu_);

  // Waits until the queue is empty and the worker idle (for tests and shutdown).
  bool WaitIdle(absl::Duration timeout) ABSL_LOCKS_EXCLUDED(mu_);
  // Waits until no refused annotation is held any more (written or given up).
  bool WaitUntilNoneHeld(absl::Duration timeout) const { return files_.WaitUntilNoneHeld(timeout); }

 private:
  struct Job {
    std::string uuid;
    absl::Time timestamp;
    std::string src_ip;
    std::string dst_ip;
  };

  void Run();
  void Write(const Job& job);
  // A held annotation's fate, reported by files_.
  void HeldWriteDone(const std::string& uuid, const absl::Status& status);
  bool Annotated(const std::string& uuid) ABSL_LOCKS_EXCLUDED(annotated_mu_);
  void Remember(const std::string& uuid) ABSL_LOCKS_EXCLUDED(annotated_mu_);

  const FlowAnnotator* const annotator_;
  const Options options_;
  absl::Mutex annotated_mu_;  // the worker and files_' retry thread
  AnnotatedLog annotated_ ABSL_GUARDED_BY(annotated_mu_);

  mutable absl::Mutex mu_;
  std::deque<Job> queue_ ABSL_GUARDED_BY(mu_);
  bool busy_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Stats stats_ ABSL_GUARDED_BY(mu_);
  std::thread worker_;
  // Last, so it stops (and reports what it held) before the members its callbacks use go away.
  spool::RetryingWriter files_;
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_ANNOTATION_WRITER_H_
